from pyhelm.cli.main import main

raise SystemExit(main())
