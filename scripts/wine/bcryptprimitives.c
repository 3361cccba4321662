/* TEST-ONLY stand-in for bcryptprimitives.dll under wine 8, which lacks ProcessPrng (Rust std
 * >= 1.78 imports it on Windows). It goes into a private WINEPREFIX under .cache/ and is never
 * shipped: real Windows 10+ has this DLL. Build:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG len); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
