"""Measuring the loader and the linker against answer keys made by reading a report."""
