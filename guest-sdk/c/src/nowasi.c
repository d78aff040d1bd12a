/* No WASI in the component. wasi-libc's printf and strtod keep a reference to stderr (for a
 * "long double formatting is disabled" message), which drags in fd_write, fd_seek and
 * fd_close, and so the wasi_snapshot_preview1 imports. These weak stand-ins satisfy those
 * references inside the module: writing to stdout/stderr fails with EBADF (the host discards
 * them anyway; use lp_log). They are weak: a view that calls other WASI functions (time, files)
 * links wasi-libc's real ones instead, and then needs the preview1 adapter (see README.md). */
#include <wasi/api.h>

__attribute__((weak)) __wasi_errno_t __wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t iovs_len,
                                                     __wasi_size_t *written) {
    (void)fd;
    (void)iovs;
    (void)iovs_len;
    *written = 0;
    return __WASI_ERRNO_BADF;
}

__attribute__((weak)) __wasi_errno_t __wasi_fd_seek(__wasi_fd_t fd, __wasi_filedelta_t offset, __wasi_whence_t whence,
                                                    __wasi_filesize_t *newoffset) {
    (void)fd;
    (void)offset;
    (void)whence;
    *newoffset = 0;
    return __WASI_ERRNO_BADF;
}

__attribute__((weak)) __wasi_errno_t __wasi_fd_close(__wasi_fd_t fd) {
    (void)fd;
    return __WASI_ERRNO_BADF;
}
