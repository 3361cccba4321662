/* Loads a cobalt library at run time and prints cobalt_abi_version(): dist.sh runs it once per
 * runnable target (natively, under qemu-user, under wine) to compare with cobalt.h. */
#include <stdio.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

typedef unsigned int (*abi_fn)(void);

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: abi-probe LIBRARY\n");
    return 2;
  }
#ifdef _WIN32
  HMODULE h = LoadLibraryA(argv[1]);
  if (!h) {
    fprintf(stderr, "LoadLibrary(%s) failed: error %lu\n", argv[1], (unsigned long)GetLastError());
    return 1;
  }
  abi_fn f = (abi_fn)(void (*)(void))GetProcAddress(h, "cobalt_abi_version");
#else
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  abi_fn f = (abi_fn)dlsym(h, "cobalt_abi_version");
#endif
  if (!f) {
    fprintf(stderr, "cobalt_abi_version not found in %s\n", argv[1]);
    return 1;
  }
  printf("%u\n", f());
  return 0;
}
