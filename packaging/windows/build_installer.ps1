<#
Build the Windows installer (Inno Setup 6) from the one-folder build.

    pyinstaller --noconfirm packaging\billing_desktop.spec
    powershell -ExecutionPolicy Bypass -File packaging\windows\build_installer.ps1 [-Sign]

Output: dist\installer\BillingDesktop-<version>-windows-x64-setup.exe

Code signing is optional. It is requested by -Sign or by WINDOWS_SIGN=1 in the environment,
and then needs these environment variables (secrets never go on the command line of this
script); a missing one stops the build with exit status 2 and a line naming it:
    WINDOWS_CERT_PFX_BASE64   the code-signing certificate with its private key (.pfx), base64
    WINDOWS_CERT_PASSWORD     the .pfx password
    WINDOWS_TIMESTAMP_URL     an RFC 3161 time-stamp server (optional; default DigiCert's)
Signed: both executables of the build, setup.exe and the uninstaller (Inno Setup's SignTool).
#>
param([switch]$Sign)

$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

function Fail([string]$message) {
    [Console]::Error.WriteLine("build_installer: $message")
    exit 2
}

$signing = $Sign -or ($env:WINDOWS_SIGN -eq "1")
if ($signing) {
    foreach ($name in @("WINDOWS_CERT_PFX_BASE64", "WINDOWS_CERT_PASSWORD")) {
        if (-not [Environment]::GetEnvironmentVariable($name)) {
            Fail "signing was requested but the environment variable $name is not set"
        }
    }
}

$init = Get-Content "billing_desktop\__init__.py" -Raw
if ($init -notmatch '__version__ = "([^"]+)"') { Fail "no __version__ in billing_desktop\__init__.py" }
$version = $Matches[1]

$bundle = "dist\billing-desktop"
foreach ($exe in @("billing-desktop.exe", "billing-desktop-cli.exe")) {
    if (-not (Test-Path "$bundle\$exe")) {
        Fail "$bundle\$exe is missing: run pyinstaller --noconfirm packaging\billing_desktop.spec first"
    }
}

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) {
    $iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe") |
        Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $iscc) { Fail "Inno Setup 6 (ISCC.exe) not found: choco install innosetup" }

$isccArgs = @("/DAppVersion=$version", "packaging\windows\billing_desktop.iss")
$pfx = $null
try {
    if ($signing) {
        $signtool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
        if (-not $signtool) {
            $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
                Sort-Object FullName -Descending | Select-Object -First 1 -ExpandProperty FullName
        }
        if (-not $signtool) { Fail "signtool.exe not found: install the Windows SDK" }
        $timestamp = if ($env:WINDOWS_TIMESTAMP_URL) { $env:WINDOWS_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
        $pfx = Join-Path ([IO.Path]::GetTempPath()) ("billing-desktop-" + [Guid]::NewGuid() + ".pfx")
        [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:WINDOWS_CERT_PFX_BASE64))
        $common = @("sign", "/f", $pfx, "/p", $env:WINDOWS_CERT_PASSWORD, "/fd", "sha256",
            "/tr", $timestamp, "/td", "sha256", "/d", "Billing Desktop")
        Write-Host "--- signing the executables"
        & $signtool @common "$bundle\billing-desktop.exe" "$bundle\billing-desktop-cli.exe"
        if ($LASTEXITCODE -ne 0) { throw "signtool failed ($LASTEXITCODE)" }
        # Inno Setup signs setup.exe and the uninstaller with this command: $f is the file and
        # $q a quote, expanded by ISCC (single quotes keep PowerShell away from them).
        $command = '$q' + $signtool + '$q sign /f $q' + $pfx + '$q /p ' + $env:WINDOWS_CERT_PASSWORD +
            ' /fd sha256 /tr ' + $timestamp + ' /td sha256 /d $qBilling Desktop$q $f'
        $isccArgs = @("/DSign=1", "/Ssigntool=$command") + $isccArgs
    }

    Write-Host "--- Inno Setup: $iscc"
    & $iscc @isccArgs
    if ($LASTEXITCODE -ne 0) { throw "ISCC failed ($LASTEXITCODE)" }
} finally {
    if ($pfx -and (Test-Path $pfx)) { Remove-Item $pfx -Force }
}

$installer = "dist\installer\BillingDesktop-$version-windows-x64-setup.exe"
if (-not (Test-Path $installer)) { throw "ISCC did not write $installer" }
if ($signing) {
    & $signtool verify /pa $installer
    if ($LASTEXITCODE -ne 0) { throw "the installer's signature does not verify" }
}
$size = [math]::Round((Get-Item $installer).Length / 1MB, 1)
Write-Host "wrote $installer ($size MB)$(if (-not $signing) { ', not signed' })"
