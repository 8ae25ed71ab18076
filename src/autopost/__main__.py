from autopost.cli import main

main()
