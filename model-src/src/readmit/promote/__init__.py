"""Promotion and rollback as reviewed commits that rewrite environments/<env>/models.yaml."""

from readmit.promote.flow import PromoteResult, promote, rollback

__all__ = ["PromoteResult", "promote", "rollback"]
