"""PeerLog: a peer support log for mental-health peer support programmes."""
__version__ = "0.1.0"
