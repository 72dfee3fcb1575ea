; Inno Setup script: a per-machine installer for the one-folder bundle.
; Build the bundle first (python packaging/build.py), then on Windows:
;   iscc packaging\deskapp.iss      -> dist\installer\deskapp-setup-<version>.exe
; Names here match packaging/names.py (checked by tests/packaging/test_names.py).

#define AppName "deskapp"
; The windowed app (Start menu) and the console program for the command line.
#define GuiExeName "deskappw.exe"
#define ExeName "deskapp.exe"
#define BundleDir "..\dist\deskapp"
#define AppVersion GetVersionNumbersString(BundleDir + "\" + GuiExeName)

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
UninstallDisplayIcon={app}\{#GuiExeName}
; The "add to PATH" task changes the system environment.
ChangesEnvironment=yes
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "addtopath"; Description: "Add the {#AppName} command line to PATH (deskapp sla due, report, ...)"

[Files]
; Both executables, named so that a missing one fails the build, then the rest of the bundle.
Source: "{#BundleDir}\{#GuiExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#ExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\*"; Excludes: "\{#GuiExeName},\{#ExeName}"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#GuiExeName}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NotOnPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#GuiExeName}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

[Code]
const
  EnvKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

function NotOnPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKLM, EnvKey, 'Path', Path) then
    Result := True
  else
    Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Path, Dir: string;
  At: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKLM, EnvKey, 'Path', Path) then
    exit;
  Dir := ExpandConstant('{app}');
  At := Pos(';' + Uppercase(Dir), Uppercase(Path));
  if At > 0 then
  begin
    Delete(Path, At, Length(Dir) + 1);
    RegWriteExpandStringValue(HKLM, EnvKey, 'Path', Path);
  end;
end;

; User data (the local database, the settings file %LOCALAPPDATA%\deskapp\deskapp.ini,
; logs) lives in each user's %LOCALAPPDATA%\deskapp, outside {app}: upgrades and
; uninstalls leave it alone.
