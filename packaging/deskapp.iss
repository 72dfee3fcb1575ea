; Inno Setup script: a per-machine installer for the one-folder bundle.
; Build the bundle first (python packaging/build.py), then on Windows:
;   iscc packaging\deskapp.iss      -> dist\installer\deskapp-setup-<version>.exe
; Names here match packaging/names.py (checked by tests/packaging/test_names.py).

#define AppName "deskapp"
#define ExeName "deskapp.exe"
#define BundleDir "..\dist\deskapp"
#define AppVersion GetVersionNumbersString(BundleDir + "\" + ExeName)

[Setup]
; A fixed AppId lets an upgrade replace the old version in place.
AppId={{6B0E5D1E-3C1B-4E64-9A53-0D1E5C7A2B40}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=deskapp developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
; Per machine: every desk user of the workstation gets the app.
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist\installer
OutputBaseFilename=deskapp-setup-{#AppVersion}
SetupIconFile=..\resources\icons\deskapp.ico
UninstallDisplayIcon={app}\{#ExeName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#ExeName}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\{#ExeName}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

; User data (the local database, settings, logs) lives in each user's
; %LOCALAPPDATA%\deskapp, outside {app}: upgrades and uninstalls leave it alone.
