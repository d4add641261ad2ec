"""The demo organisation: a deterministic, seeded directory of the provider in the article (16
departments, engineers and TAMs, clients with contacts, account teams and landscapes), loaded by
``tamdesk demo``."""
