"""`readmit audit`: the history of environments/ as the report an auditor reads."""

from readmit.audit.run import AuditResult, audit

__all__ = ["AuditResult", "audit"]
