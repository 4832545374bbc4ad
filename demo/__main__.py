from demo.generate import main

raise SystemExit(main())
