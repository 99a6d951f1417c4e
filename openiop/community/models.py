"""Peer spaces: one per group and one per group's alumni, with posts, replies, reports and
moderation (issue 15, Build 3)."""
