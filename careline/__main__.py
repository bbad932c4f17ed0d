from careline.cli import main

main()
