"""What an applicant is told at each step of a case: a key of the catalogues' `note` context and
the names of its parameters. Workflows record the key and the parameters, never a sentence, so
one history reads in Kyrgyz, Russian and English (api/i18n/notes.py renders it at read time).

Parameter kinds, by name: `until` a day (ISO date, shown in the reader's format), `document` a
document type (its name in the reader's language), `amount` with `currency` money, `count` a
number, `ground` a refusal's legal ground (its name in the reader's language); `number`, `year`,
`documents` and `message` are shown as they are. Any note may carry
`reason`: the officer's reasons as written, shown after the note."""

NOTES: dict[str, tuple[str, ...]] = {
    # every procedure
    "application_lodged": (),
    "application_submitted": (),
    "application_registered": (),
    "application_approved": (),
    "application_rejected": (),
    "application_rejected_on_ground": ("ground",),
    "application_refused": (),
    "application_refused_on_ground": ("ground",),
    "application_withdrawn": (),
    "deadline_extended": ("until",),
    "documents_requested": ("documents",),
    "documents_requested_message": ("documents", "message"),
    "documents_not_received": (),
    "documents_received": ("count",),
    "documents_checked": (),
    "document_issued": ("document", "number"),
    "document_issued_until": ("document", "number", "until"),
    "letter_issued": ("number",),
    # refugee
    "registration_refusal_proposed": (),
    "registration_refused": (),
    "registration_refused_on_ground": ("ground",),
    "returned_to_registrar": (),
    "interview_scheduled": (),
    "interview_scheduled_for": ("interview_at", "place"),
    "interview_held": (),
    "abandoned": (),
    "verification_complete": (),
    "conclusion_drafted": (),
    "recognised": (),
    "recognised_leaving_out_family": ("count",),
    "refugee_certificate_ready": (),
    "appeal_possible_until": ("until",),
    "appeal_window_lapsed": (),
    "appeal_lodged": (),
    "appeal_granted": (),
    "appeal_dismissed": (),
    "exit_assistance_provided": (),
    "asylum_certificate_renewal_reminder": ("until",),
    "refugee_status_active_until": ("until",),
    "refugee_renewal_reminder": ("until",),
    "certificate_renewal_requested": (),
    "travel_document_requested": (),
    "request_declined": (),
    "refugee_certificate_expired_grace": ("until",),
    "certificate_renewal_approved": (),
    "travel_document_approved": (),
    "status_lapsed": (),
    "status_ending_proposed": (),
    "status_ending_returned": (),
    "status_ceased": (),
    "status_deprived": (),
    "status_naturalised": (),
    # repatriation
    "reimbursement_approved": ("amount", "currency"),
    "already_reimbursed": (),
    "payment_ordered": (),
    "payment_ordered_at_mission": ("mission",),
    "paid": (),
    "transfer_failed": (),
    "reimbursement_paid": (),
    "account_corrected": (),
    # kairylman
    "documents_complete_for_commission": (),
    "on_commission_agenda": (),
    "kairylman_granted": (),
    "kairylman_granted_leaving_out_family": ("count",),
    "kairylman_refused": (),
    "kairylman_refused_on_ground": ("ground",),
    "kairylman_active_until": ("until",),
    "citizenship_reminder": ("until",),
    "citizenship_application_recorded": (),
    "citizenship_acquired": (),
    "kairylman_terminated": (),
    "certificate_extension_approved": (),
    "certificate_extended_until": ("until",),
    "kairylman_expired": (),
    # work permit
    "quota_exhausted": ("year",),
    "quota_not_allocated": ("year",),
    "quota_reserved": (),
    "first_permit_issued": (),
    "permit_360_issued": (),
    "work_permit_renewal_reminder": ("until",),
    "work_permit_expired": (),
    "work_permit_cancelled": (),
    # employment agency permit
    "agency_documents_complete": (),
    "agency_approved_pending_deposit": (),
    "agency_approved_pay_deposit": ("deposit", "fee", "currency"),
    "agency_permit_refused": (),
    "agency_permit_refused_on_ground": ("ground",),
    "deposit_received": (),
    "approval_lapsed": (),
    "permit_active": (),
    "permit_suspended": (),
    "permit_resumed": (),
    "permit_extension_approved": (),
    "permit_extended_until": ("until",),
    "permit_extension_reminder": ("until",),
    "permit_cancelled_by_commission": (),
    "permit_cancelled_unremedied": (),
    "agency_permit_expired": (),
    "placement_report_due": ("until",),
    "placement_report_reminder": ("until",),
    "placement_report_filed": (),
    "placement_report_missed": (),
}


def check_note(key: str, params: dict[str, str]) -> None:
    """A note the catalogues can render: a known key with exactly its parameters (and perhaps
    reasons). Pure, so a workflow may call it: a wrong note fails the workflow task in tests."""
    if not key:
        if params:
            raise ValueError("parameters without a note")
        return
    if key not in NOTES:
        raise ValueError(f"unknown note {key!r}")
    if set(params) - {"reason"} != set(NOTES[key]):
        raise ValueError(f"note {key!r} takes {NOTES[key]}, got {sorted(params)}")
