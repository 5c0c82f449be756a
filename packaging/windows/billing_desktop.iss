; Inno Setup 6 script: the Windows installer of the one-folder build.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\billing_desktop.iss
;
; Normally run by packaging\windows\build_installer.ps1, which reads the version from
; billing_desktop\__init__.py, signs the executables when asked to, and passes /DSign=1 plus
; the sign tool (/Ssigntool=...) so that setup.exe and the uninstaller are signed too.
; Input: dist\billing-desktop\ (pyinstaller packaging\billing_desktop.spec).
; Output: dist\installer\BillingDesktop-<version>-windows-x64-setup.exe

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=0.1.0 billing_desktop.iss
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\billing-desktop"
#endif
#define AppName "Billing Desktop"
#define AppExe "billing-desktop.exe"

[Setup]
; The AppId identifies the product for upgrades and uninstall: never change it.
AppId={{6C1F4E2A-9B7D-4F3E-8A51-2D0C7B9E4F13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Billing Desktop
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default (no administrator needed); the user may choose all users instead.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=BillingDesktop-{#AppVersion}-windows-x64-setup
SetupIconFile=billing-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Closes a running Billing Desktop before its files are replaced.
CloseApplications=yes
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder build: both executables and _internal\ (Qt, Python, resources, migrations).
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade must not keep modules or plugins that the new version no longer ships.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
