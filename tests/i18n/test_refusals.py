"""Every refusal a person can meet has a code, and the code has words in ky, ru and en.

Read from the code itself: each ApiError (and its helpers not_found, conflict, TooManyRequests),
each InvalidDecision of a workflow's or a schema's checks, each schemas.text.problem. A refusal
without a code would reach a Kyrgyz or Russian reader in English; one whose code has no entry
in the catalogues too."""

import ast
from pathlib import Path

from api import i18n

ROOT = Path(__file__).resolve().parents[2]
# Where the code of each kind of call is: (the positional index, the keyword).
REFUSALS = {"ApiError": (None, "code"), "not_found": (1, "code"), "conflict": (1, "code"),
            "TooManyRequests": (1, "code"), "_unauthorised": (1, "code"), "InvalidDecision": (1, "code"),
            "problem": (0, "code"), "rejection": (2, "code")}


GIVEN: dict[tuple[str, str], set[str] | None] = {}  # (where, code): the parameters given there


def _constants(paths: list[Path]) -> dict[str, str]:
    """Module-level NAME = "text" assignments (TOO_MANY_LOOKUPS = "too_many_lookups")."""
    found = {}
    for path in paths:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def _code_argument(call: ast.Call, index: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
        if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
            for k, v in zip(kw.value.keys, kw.value.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == "code":
                    return v
    if index is not None and len(call.args) > index:
        return call.args[index]
    return None


def _params_given(call: ast.Call, name: str) -> set[str] | None:
    """The names of the parameters a refusal is made with, or None when they are not written out."""
    for kw in call.keywords:
        if kw.arg == "params":
            return {k.value for k in kw.value.keys} if isinstance(kw.value, ast.Dict) else None
        if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
            for k, v in zip(kw.value.keys, kw.value.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == "params":
                    return {p.value for p in v.keys} if isinstance(v, ast.Dict) else None
    if name in ("not_found", "conflict", "InvalidDecision", "rejection"):
        return {kw.arg for kw in call.keywords if kw.arg and kw.arg != "code"}
    return set()


def refusals_in(paths: list[Path]) -> tuple[set[tuple[str, str]], list[str]]:
    """The codes refusals are made with (where, code), and where a refusal has none. A model's own
    check (`problem`) is worded in the `form_error` context when it is a form's, else as a
    decision's refusal."""
    constants = _constants(paths)
    codes, uncoded = set(), []
    for path in paths:
        tree = ast.parse(path.read_text())
        passed_on = {a.arg for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                     for a in [*f.args.args, *f.args.kwonlyargs]}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            if name not in REFUSALS:
                continue
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            arg = _code_argument(call, *REFUSALS[name])
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                if not (name == "problem" and i18n.has("form_error", arg.value)):
                    codes.add((where, arg.value))
                    GIVEN[(where, arg.value)] = _params_given(call, name)
            elif isinstance(arg, ast.Name) and arg.id in constants:
                codes.add((where, constants[arg.id]))
            elif isinstance(arg, ast.Name) and arg.id in passed_on:
                continue  # a helper handing on its caller's code (not_found, TooManyRequests)
            elif isinstance(arg, ast.Attribute) and arg.attr == "code":
                continue  # a decision's own check, handed on with its code (its own call is read too)
            elif isinstance(arg, ast.Call) and getattr(arg.func, "attr", "") == "get" and \
                    getattr(arg.args[0], "value", None) == "code":
                continue  # the code of the workflow's own rejection, handed on (its checks are tested below)
            else:
                uncoded.append(where)
    return codes, uncoded


def _python(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_every_refusal_of_the_api_has_a_code_with_words_in_three_languages():
    codes, uncoded = refusals_in(_python("api"))
    assert not uncoded, f"refusals without a code: {uncoded}"
    assert len(codes) > 60
    missing = sorted((where, code) for where, code in codes if not i18n.has("rejection", code))
    assert not missing, f"codes with no `rejection` entry in the catalogues: {missing}"


def test_no_route_refuses_with_a_bare_http_exception():
    raised = [f"{p.relative_to(ROOT)}:{n.lineno}" for p in _python("api") for n in ast.walk(ast.parse(p.read_text()))
              if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "HTTPException"]
    assert not raised, f"HTTPException carries no code; raise ApiError: {raised}"


def test_every_check_of_a_decision_has_a_code_with_words():
    codes, uncoded = refusals_in(_python("schemas", "workflows"))
    assert not uncoded, f"checks without a code: {uncoded}"
    missing = sorted((w, c) for w, c in codes if not i18n.has("rejection", c))
    assert not missing, f"codes in neither the `form_error` nor the `rejection` context: {missing}"


def test_every_refusal_gives_the_parameters_its_words_name():
    """A text naming {most} or {name} for a refusal made without them would show its fallback."""
    import re

    refusals_in(_python("api", "schemas", "workflows"))
    wrong = []
    for (where, code), given in GIVEN.items():
        if given is None or not i18n.has("rejection", code):
            continue
        for lang in ("ky", "ru", "en"):
            named = set(re.findall(r"\{([a-z_]+)\}", i18n.text("rejection", code, lang)))
            if named - given:
                wrong.append((where, code, lang, sorted(named - given)))
    assert not wrong, f"words naming parameters the refusal is not given: {wrong}"


def test_data_that_is_not_an_object_is_refused_with_words_too():
    from schemas.refugee import DECISION
    from schemas.steps import InvalidDecision, check_decision

    try:
        check_decision(DECISION, "reject", "Why.", ["not", "an", "object"])
    except InvalidDecision as refused:
        assert refused.code == "decision_data_not_valid" and i18n.has("rejection", refused.code)
    else:
        raise AssertionError("accepted")


def test_a_refusal_finds_words_for_its_parameters():
    from api.rejections import localized

    assert localized("needs_role", {"roles": "auditor,supervisor"}, "ru") == "Для этого нужна одна из ролей: Аудитор, Руководитель"
    assert localized("takes_no_data", {"outcome": "register"}, "en") == \
        f"The decision “{i18n.outcome_label('register', 'en')}” takes no further data"
    assert localized("file_kind", {"name": "паспорт.docx"}, "ky") == "«паспорт.docx» PDF, PNG же JPEG файлы эмес"
