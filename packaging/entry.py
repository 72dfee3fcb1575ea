"""The frozen app's entry point (PyInstaller runs this file)."""

from deskapp.__main__ import main

if __name__ == "__main__":
    main()
