"""The wizard's state machine definition: parses, every substitution is defined in the template,
every transition lands on a state, every waiting step has a timeout, every page has a state."""

import json
import re
from pathlib import Path
from typing import Any

from local.template import Template
from securityinfo.wizard.pages import PAGE_ACTIONS

ROOT = Path(__file__).resolve().parents[2]
ASL = ROOT / "statemachines" / "enrollment.asl.json"


def _machine() -> dict[str, Any]:
    template = Template.load(ROOT / "template.yaml")
    machines = [r for r in template.resources.values() if r.get("Type") == "AWS::Serverless::StateMachine"]
    assert len(machines) == 1
    return dict(machines[0]["Properties"])


def test_definition_parses_and_every_substitution_is_defined() -> None:
    text = ASL.read_text()
    definition = json.loads(text)
    props = _machine()
    assert props["DefinitionUri"] == "statemachines/enrollment.asl.json"
    used = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))
    assert used and used <= set(props["DefinitionSubstitutions"])
    assert definition["StartAt"] in definition["States"]


def test_every_transition_lands_on_a_state_and_every_state_is_reachable() -> None:
    states: dict[str, Any] = json.loads(ASL.read_text())["States"]
    targets: set[str] = set()
    for state in states.values():
        for key in ("Next", "Default"):
            if key in state:
                targets.add(state[key])
        targets.update(c["Next"] for c in state.get("Choices", []))
        targets.update(c["Next"] for c in state.get("Catch", []))
    assert targets <= set(states)
    start = json.loads(ASL.read_text())["StartAt"]
    assert set(states) - targets <= {start}


def test_every_waiting_step_has_a_timeout_and_an_expiry_path() -> None:
    states: dict[str, Any] = json.loads(ASL.read_text())["States"]
    waiting = {n: s for n, s in states.items() if str(s.get("Resource", "")).endswith(".waitForTaskToken")}
    assert waiting
    for name, state in waiting.items():
        assert "TimeoutSeconds" in state or "TimeoutSecondsPath" in state, name
        assert state["Parameters"]["Payload"]["taskToken.$"] == "$$.Task.Token"
        caught = {e for c in state["Catch"] for e in c["ErrorEquals"] if c["Next"] == "Expire"}
        assert {"States.Timeout", "Expired"} <= caught, name


def test_every_page_of_the_contract_has_its_waiting_state() -> None:
    states: dict[str, Any] = json.loads(ASL.read_text())["States"]
    shown = {
        s["Parameters"]["Payload"]["page"]
        for s in states.values()
        if str(s.get("Resource", "")).endswith(".waitForTaskToken")
    }
    contract = {
        "authenticatorDownload",
        "authenticatorSetup",
        "authenticatorQr",
        "authenticatorManual",
        "authenticatorTest",
        "softwareOathQr",
        "phoneEntry",
        "phoneCode",
        "appPasswordName",
        "appPasswordShow",
        "recoveryCodesShow",
        "methodChoice",
        "success",
    }
    assert shown == contract == set(PAGE_ACTIONS)
