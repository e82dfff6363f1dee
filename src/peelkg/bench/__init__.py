"""The benchmark: targets measured side by side in one run, on a synthetic corpus."""
