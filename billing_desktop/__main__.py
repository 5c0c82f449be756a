from billing_desktop.cli import main

raise SystemExit(main())
