/* The input of `tthc import`; see include/tthc/cli/input.h.
 *
 * zlib's gzread reads gzip and, transparently, anything else as it is (it looks at the first
 * bytes), so every input goes through it; glibc's fopencookie gives the readers a FILE * over
 * it. */
#include "tthc/cli/input.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* zlib's message without the "<fd:3>: " it puts in front (gzdopen names no path). */
static const char *zlib_reason(const char *msg)
{
    const char *colon = msg ? strstr(msg, ": ") : NULL;
    return colon ? colon + 2 : msg ? msg : "zlib error";
}

/* fopencookie's read: inflated (or plain) bytes from the gzFile. A damaged or truncated gzip
 * stream is an error (-1, so that ferror(f) says so), never a silent end of data. */
static ssize_t input_read(void *cookie, char *buf, size_t size)
{
    struct input *in = cookie;
    unsigned want = size > (1u << 30) ? 1u << 30 : (unsigned)size; /* zlib counts in unsigned */
    int got = gzread(in->gz, buf, want);
    int code = Z_OK;
    const char *msg = got <= 0 ? gzerror(in->gz, &code) : NULL;
    if (got < 0 || (got == 0 && code != Z_OK)) {
        if (code == Z_ERRNO)
            snprintf(in->failure, sizeof(in->failure), "a read error (%s)", strerror(errno));
        else if (code == Z_BUF_ERROR)
            snprintf(in->failure, sizeof(in->failure),
                     "the gzip data stops short: the file is incomplete");
        else
            snprintf(in->failure, sizeof(in->failure), "the gzip data is damaged (%s)",
                     zlib_reason(msg));
        errno = EIO;
        return -1;
    }
    in->data_read += got;
    return got;
}

static int input_cookie_close(void *cookie)
{
    struct input *in = cookie;
    int rc = in->gz ? gzclose_r(in->gz) : Z_OK;
    in->gz = NULL;
    return rc == Z_OK ? 0 : -1;
}

int input_open(struct input *in, const char *path, char *err, size_t len)
{
    memset(in, 0, sizeof(*in));
    in->size = -1;
    bool std_in = strcmp(path, "-") == 0;
    /* The stream owns its descriptor: standard input is duplicated so that closing it leaves
     * fd 0 alone. */
    int fd = std_in ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, len, "cannot read %s: %s", std_in ? "standard input" : path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, len, "%s is a folder: name a file", path);
        close(fd);
        return -1;
    }
    if (S_ISREG(st.st_mode))
        in->size = (int64_t)st.st_size; /* a pipe or terminal has no size to set progress by */
    in->gz = gzdopen(fd, "rb");
    if (!in->gz) {
        snprintf(err, len, "out of memory opening %s", path);
        close(fd);
        return -1;
    }
    gzbuffer(in->gz, 1 << 17);
    /* Right after opening, gzdirect reads the first bytes to tell gzip from anything else. */
    in->gzip = gzdirect(in->gz) == 0;
    static const cookie_io_functions_t io = {.read = input_read, .close = input_cookie_close};
    in->f = fopencookie(in, "r", io);
    if (!in->f) {
        snprintf(err, len, "out of memory opening %s", path);
        gzclose_r(in->gz);
        in->gz = NULL;
        return -1;
    }
    setvbuf(in->f, NULL, _IOFBF, 1 << 16);
    return 0;
}

int64_t input_consumed(const struct input *in)
{
    if (in->size < 0 || !in->gz)
        return -1;
    /* The compressed bytes zlib has taken from the file, less what it holds unused. */
    z_off_t at = gzoffset(in->gz);
    return at < 0 ? -1 : (int64_t)at;
}

int64_t input_data_read(const struct input *in)
{
    return in->data_read;
}

const char *input_failure(const struct input *in)
{
    return in->failure[0] ? in->failure : NULL;
}

void input_close(struct input *in)
{
    if (in->f)
        fclose(in->f); /* closes the gzFile through input_cookie_close */
    else if (in->gz)
        gzclose_r(in->gz);
    in->f = NULL;
    in->gz = NULL;
}
