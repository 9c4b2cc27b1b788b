"""Deliberations assistant."""
