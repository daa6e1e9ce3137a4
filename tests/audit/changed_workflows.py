"""The refugee workflow as a careless and a careful developer might change it."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import CaseInput, CaseOutcome
    from workflows.refugee import RefugeeRecognitionWorkflow


@workflow.defn(name="RefugeeRecognitionWorkflow")
class RefugeeChangedCarelessly(RefugeeRecognitionWorkflow):
    """Records an extra transition before registration: cases in flight no longer replay."""

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    async def _registration(self, clock) -> bool:
        await self.case.record("pre_check", public_note="")
        return await super()._registration(clock)


@workflow.defn(name="RefugeeRecognitionWorkflow")
class RefugeeChangedCarefully(RefugeeRecognitionWorkflow):
    """The same change behind workflow.patched(): old histories take the old path."""

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    async def _registration(self, clock) -> bool:
        if workflow.patched("pre-check-before-registration"):
            await self.case.record("pre_check", public_note="")
        return await super()._registration(clock)
