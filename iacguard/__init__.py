"""iacguard: checks the IAM part of infrastructure-as-code before it is deployed."""

__version__ = "0.1.0"
# docs/rules.md as published for this version; each rule's section is anchored at its slug
RULES_URL = f"https://github.com/your-org/iacguard/blob/v{__version__}/docs/rules.md"
