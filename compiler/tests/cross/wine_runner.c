/* The cross matrix's bundled Windows run (compiler/tests/cross_matrix.rs): ONE wine session runs
 * every test program, so wine starts once instead of once per program.
 *
 *   runner.exe LIST SECONDS
 *
 * For each line NAME of the file LIST, runs NAME.exe (stdin: NUL, stdout: NAME.out, stderr:
 * NAME.err), kills it after SECONDS, and writes its exit code (or "timeout", or "error N" when
 * it cannot be started) to NAME.rc. Programs run one after another in the current directory. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: runner LIST SECONDS\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) {
        fprintf(stderr, "runner: cannot open %s\n", argv[1]);
        return 2;
    }
    DWORD ms = (DWORD)atoi(argv[2]) * 1000u;
    /* no crash dialogs or debugger for the programs (they inherit the error mode) */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    char name[512];
    while (fgets(name, sizeof name, list)) {
        name[strcspn(name, "\r\n")] = 0;
        if (!name[0]) continue;
        char out[600], err[600], rc[600], cmd[600], text[64];
        snprintf(out, sizeof out, "%s.out", name);
        snprintf(err, sizeof err, "%s.err", name);
        snprintf(rc, sizeof rc, "%s.rc", name);
        snprintf(cmd, sizeof cmd, "\"%s.exe\"", name);
        HANDLE ho = CreateFileA(out, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        HANDLE he = CreateFileA(err, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        HANDLE hi = CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);
        STARTUPINFOA si;
        ZeroMemory(&si, sizeof si);
        si.cb = sizeof si;
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = hi;
        si.hStdOutput = ho;
        si.hStdError = he;
        PROCESS_INFORMATION pi;
        if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
            snprintf(text, sizeof text, "error %lu\n", (unsigned long)GetLastError());
        } else {
            if (WaitForSingleObject(pi.hProcess, ms) == WAIT_TIMEOUT) {
                TerminateProcess(pi.hProcess, 124);
                WaitForSingleObject(pi.hProcess, 5000);
                snprintf(text, sizeof text, "timeout\n");
            } else {
                DWORD code = 0;
                GetExitCodeProcess(pi.hProcess, &code);
                snprintf(text, sizeof text, "%lu\n", (unsigned long)code);
            }
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
        CloseHandle(ho);
        CloseHandle(he);
        CloseHandle(hi);
        write_text(rc, text);
        printf("ran %s: %s", name, text);
        fflush(stdout);
    }
    fclose(list);
    return 0;
}
