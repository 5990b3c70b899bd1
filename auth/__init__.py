"""Who may do what. Three modules, imported by name (this package imports none of them, so that the policy can
be used below the warehouse):

- `auth.policy`: the acting user (Principal, SYSTEM), roles, the pages each role sees, the permission checks
  (require_*); plain rules, no warehouse.
- `auth.accounts`: local accounts (argon2id), the first administrator, login with lock-out, look-ups.
- `auth.audit`: the append-only audit trail (audit in the caller's transaction, record in its own).
- `auth.sessions`: server-side login sessions (only the token's SHA-256 is stored), idle and absolute timeouts.
"""
