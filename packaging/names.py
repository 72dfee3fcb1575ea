"""Names the PyInstaller spec, the build script and the installer script share.

A test reads packaging/deskapp.iss and checks it uses these same names, so the
installer cannot drift from the bundle it packs.
"""

APP_NAME = "deskapp"
# Two executables in one bundle, like python.exe and pythonw.exe: on Windows a
# windowed program has no console (no output, no password prompt), and a console
# program opens a console window when started from the Start menu.
EXE_NAME = "deskapp"  # deskapp.exe: the console program, for the command line (and CI's self-test)
GUI_EXE_NAME = "deskappw"  # deskappw.exe: windowed, what the Start menu starts
DIST_DIR = "dist/deskapp"  # one-folder bundle, relative to the repository root
ICON = "resources/icons/deskapp.ico"
PUBLISHER = "deskapp developers"
# Folders of data the app reads at run time, and where the bundle puts them: inside
# the package, as a wheel does (setup.py), so deskapp.resources finds both the same way.
DATA_DIRS = ("resources", "ui")
PACKAGED_DATA = "deskapp/_data"
# Qt modules the app never imports: left out to keep the bundle small.
EXCLUDED_MODULES = (
    "PySide6.Qt3DAnimation", "PySide6.Qt3DCore", "PySide6.Qt3DExtras", "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic", "PySide6.Qt3DRender", "PySide6.QtBluetooth", "PySide6.QtCanvasPainter",
    "PySide6.QtDataVisualization", "PySide6.QtDesigner", "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets", "PySide6.QtHelp", "PySide6.QtHttpServer", "PySide6.QtLocation",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtNetworkAuth", "PySide6.QtNfc",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtPositioning", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuick3D",
    "PySide6.QtQuickControls2", "PySide6.QtQuickTest", "PySide6.QtQuickWidgets",
    "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtSensors", "PySide6.QtSerialBus",
    "PySide6.QtSerialPort", "PySide6.QtSpatialAudio", "PySide6.QtSql", "PySide6.QtStateMachine",
    "PySide6.QtSvgWidgets", "PySide6.QtTextToSpeech", "PySide6.QtUiTools.QtDesigner",
    "PySide6.QtWebChannel", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebEngineWidgets", "PySide6.QtWebSockets", "PySide6.QtWebView", "PySide6.QtXml",
    "tkinter", "matplotlib", "pandas", "businesstimedelta", "IPython", "pytest", "hypothesis",
)  # fmt: skip

# Qt libraries and plugins the hooks collect that deskapp never loads: the
# virtual keyboard (which drags in QML and Qt Quick) and the PDF image reader.
# Matched against each bundled file's path.
EXCLUDED_BINARIES = (
    "libqtvirtualkeyboardplugin", "qtvirtualkeyboardplugin.dll", "Qt6VirtualKeyboard",
    "Qt6Quick", "Qt6Qml", "imageformats/libqpdf", "imageformats/qpdf", "Qt6Pdf",
)  # fmt: skip
