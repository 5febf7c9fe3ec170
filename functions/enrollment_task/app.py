"""The wizard workflow's tasks (statemachines/enrollment.asl.json): plan, present, apply, finish.

Invoked by Step Functions, not by API Gateway. The payload names the task; the state carries no
secret (answers are read encrypted from the table, app passwords sealed for one read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from securityinfo import runtime
from securityinfo.kernel import metrics
from securityinfo.kernel.logs import logger
from securityinfo.wizard import flow as wizard_flow
from securityinfo.wizard import service as wizard

if TYPE_CHECKING:  # the securityinfo package first: it sets up what Powertools' Logger imports
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@metrics.flushed
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    deps = runtime.deps()
    task = event.get("task")
    state: dict[str, Any] = dict(event.get("state") or {})
    logger.append_keys(enrollmentId=state.get("enrollmentId"), task=task)
    if task == "plan":
        return wizard_flow.plan(deps, state)
    if task == "present":
        wizard_flow.present(deps, state, str(event["taskToken"]))
        return None
    if task == "apply":
        return wizard_flow.apply(deps, state, lambda item, step: wizard.read_input(deps, item, step))
    if task == "complete":
        wizard_flow.complete(deps, state)
    elif task == "snooze":
        wizard_flow.snooze(deps, state)
    elif task == "expire":
        wizard_flow.expire(deps, state)
    elif task == "fail":
        wizard_flow.fail(deps, state)
    else:
        raise ValueError("unknown wizard task")
    return None
