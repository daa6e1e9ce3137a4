"""The `aryz` command."""

import argparse
import asyncio
import sys


def main(argv: list[str] | None = None) -> int:
    argv_given = argv
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["test"]:  # everything after `test` goes to pytest untouched
        import pytest

        from api.i18n.catalogues import compile_all

        compile_all()
        return pytest.main(argv[1:])
    parser = argparse.ArgumentParser(prog="aryz", description="Case processing for Kyrgyz migration procedures")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the embedded stack (or use ARYZ_DATABASE_URL / ARYZ_TEMPORAL_ADDRESS)")
    run.add_argument("--workers", type=int, default=1, choices=range(1, 33), metavar="N",
                     help="worker processes (workflow code is bound to one core each)")
    run.add_argument("--api-workers", type=int, default=2, choices=range(1, 33), metavar="N",
                     help="API processes on the one port (default 2: one that crashes refuses no connection)")
    sub.add_parser("test", help="run the test suite (arguments go to pytest)")
    sub.add_parser("worker", help="run a Temporal worker")
    sub.add_parser("api", help="run the HTTP API")
    sub.add_parser("migrate", help="apply database migrations")
    replay = sub.add_parser("replay", help="re-run case histories against the current workflow code")
    replay.add_argument("case", nargs="?", help="a case number")
    replay.add_argument("--all-open", action="store_true", help="every running case (run this before a deploy)")
    replay.add_argument("--dir", help="recorded history files instead of the server (e.g. tests/histories)")
    backup = sub.add_parser("backup", help="the embedded stack's state (database, Temporal's file, keys, audit "
                                           "checkpoints) into a new directory, beside `aryz run` or not")
    backup.add_argument("dir")
    restore = sub.add_parser("restore", help="put a backup back into var/ (`aryz run` stopped); then start it and run "
                                             "`aryz audit restored`")
    restore.add_argument("dir")
    sub.add_parser("reconcile", help="hold every case's records against the engine's history and bring any that "
                                     "say more than the engine recorded to its state (the worker does it each minute)")
    audit = sub.add_parser("audit", help="auditors' tools")
    audit.add_argument("action", choices=["verify", "checkpoint", "restored"],
                       help="verify: recompute the audit log's keyed chain and hold it against the checkpoints; "
                            "checkpoint: record the log's head outside the database; restored: after restoring "
                            "the database from a backup, set aside the checkpoints later than it (entries lost "
                            "with the restore), recorded in the log")
    keys = sub.add_parser("keys", help="make a new key (payload, audit, data) or a message- or document-signing "
                                       "key pair")
    keys.add_argument("kind", choices=["payload", "audit", "data", "message", "document"])
    keys.add_argument("--kid", default=None, help="the key id (default: the kind's letter and a date)")
    keys.add_argument("--rotate", action="store_true",
                      help="put the new key in use in var/ (the keys `aryz run` and the tools beside it read), the "
                           "old ones kept after it; start `aryz run` again to use it")
    verify = sub.add_parser("verify", help="check an issued document offline: its signature, and whether the PDF "
                                           "was altered")
    verify.add_argument("file", nargs="?", help="the document's PDF")
    verify.add_argument("--seal", help="instead of a file: what the document's QR code holds")
    verify.add_argument("--keys", help="public keys: 'kid:base64,…' or a file saved from /verify/keys "
                                       "(default: this installation's)")
    args = parser.parse_args(argv)
    if args.command == "verify":
        from documents.check import verify_command

        return verify_command(args.file, args.seal, args.keys)
    from settings import get_settings
    from stack.logs import setup_logging

    settings = get_settings()
    if args.command == "run":  # the terminal gets plain lines; the JSON log goes to var/log/run.log
        (settings.var_dir / "log").mkdir(parents=True, exist_ok=True)
        setup_logging(settings.log_level, settings.var_dir / "log" / "run.log")
    else:
        setup_logging(settings.log_level)

    if args.command == "run":
        from stack.embedded import run

        return run(workers=args.workers, api_workers=args.api_workers)
    if args.command == "worker":
        from worker import run_worker

        asyncio.run(run_worker())
        return _done_with_temporal(0, as_program=argv_given is None)
    if args.command == "api":
        import uvicorn

        from api.app import create_app
        from settings import get_settings

        settings = get_settings()
        # No access log: it would carry case numbers next to IPs, and nothing needs it. Several
        # processes need the app by its import path (each process makes its own).
        app = "cli:api_process_app" if settings.api_workers > 1 else create_app(settings)
        uvicorn.run(app, factory=settings.api_workers > 1, workers=settings.api_workers, host=settings.http_host,
                    port=settings.http_port, log_config=None, access_log=False, proxy_headers=True,
                    forwarded_allow_ips=settings.forwarded_allow_ips)
        return _done_with_temporal(0, as_program=argv_given is None)
    if args.command in ("backup", "restore"):
        from pathlib import Path

        from stack.backup import backup_command, restore_command

        var = get_settings().var_dir
        return backup_command(var, Path(args.dir)) if args.command == "backup" else restore_command(Path(args.dir), var)
    if args.command in ("replay", "audit", "reconcile"):
        from stack.embedded import beside_run

        settings, pg = beside_run(get_settings(), need_database=args.command != "replay")
        try:
            code = _auditors_command(parser, args, settings)
        finally:
            if pg is not None:
                pg.cleanup()  # stops it only if `aryz run` is not using it
        return _done_with_temporal(code, as_program=argv_given is None)
    if args.command == "migrate":
        from db.migrate import migrate

        settings = get_settings()
        migrate(settings.migration_database_url or settings.database_url,
                settings.app_db_password.get_secret_value() if settings.app_db_password else None)
        return 0
    if args.command == "keys":
        from stack.proofs import new_key_pair

        if args.rotate:
            from stack.keys import rotate

            try:
                kid = rotate(get_settings().var_dir, args.kind, args.kid)
            except (FileNotFoundError, ValueError) as err:
                print(f"aryz keys: {err}")
                return 2
            print(f"{args.kind} key {kid} now in use in {get_settings().var_dir}; the old ones are kept after it. "
                  "Start `aryz run` again to use it.")
            return 0
        print(new_key_pair(args.kind, args.kid))
        return 0
    return 2


def api_process_app():
    """The app of one of several API processes (uvicorn starts each afresh): logging set up first."""
    from api.app import create_app
    from settings import get_settings
    from stack.logs import setup_logging

    setup_logging(get_settings().log_level)
    return create_app()


def _done_with_temporal(code: int, as_program: bool) -> int:
    """Run as the program (not called with arguments from Python), a command that used a Temporal
    client ends without the interpreter's teardown (stack.temporal.exit_without_teardown)."""
    if as_program:
        from stack.temporal import exit_without_teardown

        exit_without_teardown(code)
    return code


def _auditors_command(parser, args, settings) -> int:
    if args.command == "reconcile":
        from stack.reconcile import reconcile_command

        return asyncio.run(reconcile_command(settings))
    if args.command == "replay":
        from stack.replay import replay_command

        if not (args.case or args.all_open or args.dir):
            parser.error("replay needs a case number, --all-open or --dir")
        return asyncio.run(replay_command(args.case, args.all_open, args.dir, settings))
    from stack.audit import checkpoint_command, restored_command, verify_command

    command = {"verify": verify_command, "checkpoint": checkpoint_command, "restored": restored_command}[args.action]
    return asyncio.run(command(settings))


if __name__ == "__main__":
    sys.exit(main())
