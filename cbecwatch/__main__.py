from cbecwatch.cli import main

raise SystemExit(main())
