from iacguard.cli import run

run()
