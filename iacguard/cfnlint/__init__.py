"""The cfn-lint rule pack: iacguard's checks inside cfn-lint.

    cfn-lint -a iacguard.cfnlint -- template.yaml        (or ``append_rules`` in .cfnlintrc)

How cfn-lint 1.x finds these rules (read from its source): ``Runner._get_rules``
(``cfnlint/runner/cli.py``) takes each ``append_rules`` entry that is not a directory on
disk to ``Rules.create_from_module`` (``cfnlint/rules/_rules.py``), which imports it with
``importlib.import_module`` and passes the module to ``cfnlint.helpers.create_rules``.
That instantiates, without arguments, every class in the module's namespace
(``inspect.getmembers``) that has ``CloudFormationLintRule`` among its base classes.

So this namespace holds the rule classes and nothing else that subclasses
``CloudFormationLintRule`` (a stray base class would be instantiated as a rule too); they
are generated from the check registry by ``iacguard.cfnlint.pack``, where the shared
machinery lives.
"""

from __future__ import annotations

from iacguard.cfnlint.pack import rule_classes

_RULES = rule_classes()
globals().update({rule.__name__: rule for rule in _RULES})
__all__ = [rule.__name__ for rule in _RULES]
