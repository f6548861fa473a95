from pyhelm.cli.main import run

run()
