"""Running PeerLog for real: pre-flight checks, backups and restores, health, single-run locks.

docs/operations.md is the guide; deploy/ holds the server recipe these commands belong to.
"""
