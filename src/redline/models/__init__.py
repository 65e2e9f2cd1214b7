"""Trained models shipped with Redline, each in a folder with its model card (README.md)."""
