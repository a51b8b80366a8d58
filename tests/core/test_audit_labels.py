"""Every action the code writes to the audit log has words (core.audit_labels.LABELS), and the
words have a Swedish translation: an action without them shows on the admin's Swedish log as
"Händelse: faktura – delivery sent".

The actions are found by reading the source (``ast``), not by running it: every call of
``audit(actor, action, ...)`` (positional or ``action=``), with the action as a literal, a
conditional, a concatenation or an f-string. A name in an action is followed to its value:
a module constant, an assignment in the same function, or, for a parameter of the function,
the literals its callers pass (or, where callers pass what a user posted, the values listed in
PARAMETERS below). ``audit`` itself is found by name, so a helper that wraps it is followed
through its parameter to its own callers. An action the scan cannot work out fails the test
by its place.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.utils import translation

from bollplank.core.audit_labels import LABELS
from bollplank.core.models import AuditEvent
from bollplank.facilitation.enums import RunAction
from bollplank.mentoring.enums import ResponseKind
from bollplank.mentoring.models import PairRule
from bollplank.records.audit_log import WHOLE, sentence
from tests.marks import sqlite_run_only

pytestmark = sqlite_run_only

SRC = Path(__file__).resolve().parents[2] / "src" / "bollplank"

# Parameters whose values come from a form, checked by the view against these choices.
PARAMETERS: dict[tuple[str, str, str], list[str]] = {
    ("facilitation/services/runs.py", "run_act", "action"): [str(a) for a in RunAction.values],
    ("mentoring/services.py", "pair_rule_set", "kind"): [PairRule.LOCK, PairRule.FORBID, "clear"],
    ("mentoring/services.py", "response_add", "kind"): [str(k) for k in ResponseKind.values],
}

Where = str


class _Unresolved(Exception):
    pass


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(), str(path))


def _is_audit(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "audit"


def _action_arg(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    return call.args[1] if len(call.args) >= 2 else None


def _passed_literals(
    modules: list[tuple[str, ast.Module]], function: ast.FunctionDef, name: str
) -> set[str] | None:
    """The string literals that calls of ``function`` anywhere in src pass for its parameter
    ``name`` (by keyword or by position); None when a call passes anything else, or none is
    found: then the values cannot be read from the source."""
    positional = [a.arg for a in function.args.posonlyargs + function.args.args]
    index = positional.index(name) if name in positional else None
    found: set[str] = set()
    for _path, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called != function.name:
                continue
            given = [k.value for k in node.keywords if k.arg == name]
            if index is not None and index < len(node.args):
                given.append(node.args[index])
            for value in given:
                if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                    return None
                found.add(value.value)
    return found or None


class _Resolver:
    def __init__(self, modules: list[tuple[str, ast.Module]], path: str, tree: ast.Module):
        self.modules, self.path, self.tree = modules, path, tree

    def values(self, node: ast.expr, scope: ast.AST | None) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.values(node.body, scope) | self.values(node.orelse, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.values(node.left, scope), self.values(node.right, scope)
            return {a + b for a, b in itertools.product(left, right)}
        if isinstance(node, ast.JoinedStr):
            pieces = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    pieces.append(self.values(part.value, scope))
                else:
                    pieces.append(self.values(part, scope))
            return {"".join(p) for p in itertools.product(*pieces)}
        if isinstance(node, ast.Name):
            return self._name(node.id, scope)
        raise _Unresolved(ast.unparse(node))

    def _name(self, name: str, scope: ast.AST | None) -> set[str]:
        if isinstance(scope, ast.FunctionDef):
            assigned = [
                n.value
                for n in ast.walk(scope)
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
            ]
            if assigned:
                return set().union(*(self.values(v, scope) for v in assigned))
            arguments = scope.args
            params = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
            if name in params:
                listed = PARAMETERS.get((self.path, scope.name, name))
                if listed is not None:
                    return set(listed)
                passed = _passed_literals(self.modules, scope, name)
                if passed is not None:
                    return passed
                raise _Unresolved(f"{scope.name}({name}=...)")
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                return self.values(node.value, None)
        raise _Unresolved(name)


# Three tests read the same scan of the same source.
@functools.cache
def audited_actions() -> tuple[dict[str, list[Where]], list[Where]]:
    """Every action string passed to audit() in src, with where; and the calls not worked out."""
    modules = list(_modules())
    actions: dict[str, list[Where]] = defaultdict(list)
    unresolved: list[Where] = []
    for path, tree in modules:
        resolver = _Resolver(modules, path, tree)
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_audit(node)):
                continue
            where = f"{path}:{node.lineno}"
            scope = next(
                (
                    f
                    for f in functions
                    if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
                    and not any(
                        g is not f
                        and f.lineno < g.lineno <= node.lineno <= (g.end_lineno or g.lineno)
                        for g in functions
                    )
                ),
                None,
            )
            arg = _action_arg(node)
            if arg is None:
                unresolved.append(where)
                continue
            try:
                for action in resolver.values(arg, scope):
                    actions[action].append(where)
            except _Unresolved as exc:
                unresolved.append(f"{where} ({exc})")
    return actions, unresolved


def test_the_scan_finds_the_actions_it_should():
    actions, _unresolved = audited_actions()
    # A literal, a conditional, a concatenation, an f-string over a parameter and over an enum.
    for action in [
        "clients.client.created",
        "records.summary.published",
        "mentoring.programme.changed",
        "records.note.exported",
        "facilitation.run.pause",
        "mentoring.pair_rule.clear",
        "core.audit.pruned",
        "accounts.invitation.resent",
    ]:
        assert action in actions, action
    assert len(actions) > 100


def test_every_action_given_to_audit_is_worked_out():
    _actions, unresolved = audited_actions()
    assert not unresolved, "cannot tell the action of: " + "; ".join(unresolved)


def test_every_audited_action_has_words():
    actions, _unresolved = audited_actions()
    missing = sorted(f"{a} ({', '.join(w)})" for a, w in actions.items() if a not in LABELS)
    assert not missing, "no words in core/audit_labels.py LABELS for: " + "; ".join(missing)


def test_every_label_has_a_swedish_translation():
    with translation.override("en"):
        english = {action: str(label) for action, label in LABELS.items()}
    with translation.override("sv"):
        untranslated = sorted(a for a, label in LABELS.items() if str(label) == english[a])
    assert not untranslated, "no Swedish in the sv django.po for: " + ", ".join(untranslated)


def test_what_the_system_does_reads_as_the_system_doing_it():
    # The task worker sends an evaluation, a scheduled run deletes old inquiries: nobody is
    # behind them, so the log must not say "someone" did it.
    with translation.override("sv"):
        sent = sentence(AuditEvent(action="evaluations.round.sent"), None)
        pruned = sentence(AuditEvent(action="directory.inquiries.pruned"), None)
        whole = {action: sentence(AuditEvent(action=action), None) for action in WHOLE}
    assert sent == "En utvärdering skickades ut"
    assert pruned == "Förfrågningar vars sparandetid gått ut raderades"
    someone = sorted(f"{a}: {s}" for a, s in whole.items() if s.startswith("Någon"))
    assert not someone, "a system event reads as someone's: " + "; ".join(someone)
