/*
 * libfnunixsocket.so for the end-to-end test's stand-in of the
 * fnproject/fn-java-fdk run image.
 *
 * The Fn Java FDK's runtime (com.fnproject.fn:runtime) listens on the Fn
 * agent's unix socket through the native methods of
 * com.fnproject.fn.runtime.ntv.UnixSocketNative, which it loads from
 * /function/runtime/lib (-Djava.library.path). fnproject's image ships that
 * library; Maven Central does not (the runtime jar holds only the Java
 * classes). This file implements the same JNI methods, written for osa from
 * the class's native method signatures (javap) and the way UnixSocket and
 * UnixServerSocket call them:
 *
 *   accept(fd, timeoutMillis) returns 0 when nothing arrived in time;
 *   recv returns -1 at end of stream (InputStream semantics);
 *   send returns the number of bytes written;
 *   failures throw java.io.IOException or UnixSocketException (a
 *   java.net.SocketException), and a receive timeout throws
 *   java.net.SocketTimeoutException.
 *
 * Build: gcc -shared -fPIC -O2 -I$JAVA_HOME/include -I$JAVA_HOME/include/linux \
 *            -o libfnunixsocket.so fnunixsocket.c
 */
#define _GNU_SOURCE /* accept4 */
#include <jni.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define FN_CLASS(name) Java_com_fnproject_fn_runtime_ntv_UnixSocketNative_##name

static const char *const IO_EXCEPTION = "java/io/IOException";
static const char *const SOCKET_EXCEPTION = "com/fnproject/fn/runtime/ntv/UnixSocketException";
static const char *const TIMEOUT_EXCEPTION = "java/net/SocketTimeoutException";

/* fail throws a new exception of class cls whose message is what: the error. */
static void fail(JNIEnv *env, const char *cls, const char *what, int err) {
    char msg[256];
    jclass c = (*env)->FindClass(env, cls);
    if (c == NULL) {
        return; /* FindClass has thrown NoClassDefFoundError */
    }
    snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
    (*env)->ThrowNew(env, c, msg);
}

/* address fills sa with path; it throws and returns -1 when path is too long. */
static int address(JNIEnv *env, jstring path, struct sockaddr_un *sa, const char *cls) {
    const char *p;
    size_t n;
    if (path == NULL) {
        fail(env, cls, "socket path is null", EINVAL);
        return -1;
    }
    p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        return -1; /* OutOfMemoryError is pending */
    }
    n = strlen(p);
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (n >= sizeof sa->sun_path) {
        (*env)->ReleaseStringUTFChars(env, path, p);
        fail(env, cls, "socket path is too long", ENAMETOOLONG);
        return -1;
    }
    memcpy(sa->sun_path, p, n);
    (*env)->ReleaseStringUTFChars(env, path, p);
    return 0;
}

/* inBounds checks that [off, off+len) lies within buf, throwing if not. */
static int inBounds(JNIEnv *env, jbyteArray buf, jint off, jint len) {
    jsize size;
    if (buf == NULL) {
        fail(env, IO_EXCEPTION, "buffer is null", EINVAL);
        return 0;
    }
    size = (*env)->GetArrayLength(env, buf);
    if (off < 0 || len < 0 || off > size || len > size - off) {
        jclass c = (*env)->FindClass(env, "java/lang/ArrayIndexOutOfBoundsException");
        if (c != NULL) {
            (*env)->ThrowNew(env, c, "offset or length outside the buffer");
        }
        return 0;
    }
    return 1;
}

JNIEXPORT jint JNICALL FN_CLASS(socket)(JNIEnv *env, jclass cls) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    (void)cls;
    if (fd < 0) {
        fail(env, IO_EXCEPTION, "socket", errno);
        return -1;
    }
    return fd;
}

JNIEXPORT void JNICALL FN_CLASS(bind)(JNIEnv *env, jclass cls, jint fd, jstring path) {
    struct sockaddr_un sa;
    (void)cls;
    if (address(env, path, &sa, SOCKET_EXCEPTION) < 0) {
        return;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fail(env, SOCKET_EXCEPTION, "bind", errno);
    }
}

JNIEXPORT void JNICALL FN_CLASS(connect)(JNIEnv *env, jclass cls, jint fd, jstring path) {
    struct sockaddr_un sa;
    int rc;
    (void)cls;
    if (address(env, path, &sa, IO_EXCEPTION) < 0) {
        return;
    }
    do {
        rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        fail(env, IO_EXCEPTION, "connect", errno);
    }
}

JNIEXPORT void JNICALL FN_CLASS(listen)(JNIEnv *env, jclass cls, jint fd, jint backlog) {
    (void)cls;
    if (listen(fd, backlog) < 0) {
        fail(env, SOCKET_EXCEPTION, "listen", errno);
    }
}

JNIEXPORT jint JNICALL FN_CLASS(accept)(JNIEnv *env, jclass cls, jint fd, jlong timeoutMillis) {
    struct pollfd pfd;
    int rc, conn;
    (void)cls;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    rc = poll(&pfd, 1, timeoutMillis > 0 ? (int)timeoutMillis : -1);
    if (rc == 0 || (rc < 0 && errno == EINTR)) {
        return 0; /* nothing yet: the caller polls again */
    }
    if (rc < 0) {
        fail(env, IO_EXCEPTION, "poll", errno);
        return -1;
    }
    do {
        conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    } while (conn < 0 && errno == EINTR);
    if (conn < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        fail(env, IO_EXCEPTION, "accept", errno);
        return -1;
    }
    return conn;
}

JNIEXPORT jint JNICALL FN_CLASS(recv)(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off, jint len) {
    jbyte *tmp;
    ssize_t n;
    (void)cls;
    if (!inBounds(env, buf, off, len)) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    tmp = malloc((size_t)len);
    if (tmp == NULL) {
        fail(env, IO_EXCEPTION, "recv", ENOMEM);
        return -1;
    }
    do {
        n = recv(fd, tmp, (size_t)len, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        int err = errno;
        free(tmp);
        fail(env, (err == EAGAIN || err == EWOULDBLOCK) ? TIMEOUT_EXCEPTION : IO_EXCEPTION, "recv", err);
        return -1;
    }
    if (n == 0) {
        free(tmp);
        return -1; /* end of stream */
    }
    (*env)->SetByteArrayRegion(env, buf, off, (jsize)n, tmp);
    free(tmp);
    return (jint)n;
}

JNIEXPORT jint JNICALL FN_CLASS(send)(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off, jint len) {
    jbyte *tmp;
    ssize_t n;
    (void)cls;
    if (!inBounds(env, buf, off, len)) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    tmp = malloc((size_t)len);
    if (tmp == NULL) {
        fail(env, IO_EXCEPTION, "send", ENOMEM);
        return -1;
    }
    (*env)->GetByteArrayRegion(env, buf, off, len, tmp);
    do {
        n = send(fd, tmp, (size_t)len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    free(tmp);
    if (n < 0) {
        fail(env, IO_EXCEPTION, "send", errno);
        return -1;
    }
    return (jint)n;
}

JNIEXPORT void JNICALL FN_CLASS(close)(JNIEnv *env, jclass cls, jint fd) {
    (void)cls;
    if (close(fd) < 0 && errno != EINTR) {
        fail(env, SOCKET_EXCEPTION, "close", errno);
    }
}

/* setTimeout sets SO_SNDTIMEO or SO_RCVTIMEO to millis (0: none). */
static void setTimeout(JNIEnv *env, jint fd, int opt, jint millis, const char *what) {
    struct timeval tv;
    if (millis < 0) {
        millis = 0;
    }
    tv.tv_sec = millis / 1000;
    tv.tv_usec = (millis % 1000) * 1000;
    if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) < 0) {
        fail(env, SOCKET_EXCEPTION, what, errno);
    }
}

/* getTimeout reads SO_SNDTIMEO or SO_RCVTIMEO in milliseconds. */
static jint getTimeout(JNIEnv *env, jint fd, int opt, const char *cls, const char *what) {
    struct timeval tv;
    socklen_t n = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, opt, &tv, &n) < 0) {
        fail(env, cls, what, errno);
        return -1;
    }
    return (jint)(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/* setInt sets an integer socket option. */
static void setInt(JNIEnv *env, jint fd, int opt, jint value, const char *what) {
    int v = value;
    if (setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v) < 0) {
        fail(env, SOCKET_EXCEPTION, what, errno);
    }
}

JNIEXPORT void JNICALL FN_CLASS(setSendTimeout)(JNIEnv *env, jclass cls, jint fd, jint millis) {
    (void)cls;
    setTimeout(env, fd, SO_SNDTIMEO, millis, "setsockopt SO_SNDTIMEO");
}

JNIEXPORT jint JNICALL FN_CLASS(getSendTimeout)(JNIEnv *env, jclass cls, jint fd) {
    (void)cls;
    return getTimeout(env, fd, SO_SNDTIMEO, IO_EXCEPTION, "getsockopt SO_SNDTIMEO");
}

JNIEXPORT void JNICALL FN_CLASS(setRecvTimeout)(JNIEnv *env, jclass cls, jint fd, jint millis) {
    (void)cls;
    setTimeout(env, fd, SO_RCVTIMEO, millis, "setsockopt SO_RCVTIMEO");
}

JNIEXPORT jint JNICALL FN_CLASS(getRecvTimeout)(JNIEnv *env, jclass cls, jint fd) {
    (void)cls;
    return getTimeout(env, fd, SO_RCVTIMEO, SOCKET_EXCEPTION, "getsockopt SO_RCVTIMEO");
}

JNIEXPORT void JNICALL FN_CLASS(setSendBufSize)(JNIEnv *env, jclass cls, jint fd, jint size) {
    (void)cls;
    setInt(env, fd, SO_SNDBUF, size, "setsockopt SO_SNDBUF");
}

JNIEXPORT void JNICALL FN_CLASS(setRecvBufSize)(JNIEnv *env, jclass cls, jint fd, jint size) {
    (void)cls;
    setInt(env, fd, SO_RCVBUF, size, "setsockopt SO_RCVBUF");
}

JNIEXPORT void JNICALL FN_CLASS(shutdown)(JNIEnv *env, jclass cls, jint fd, jboolean input, jboolean output) {
    int how;
    (void)cls;
    if (input && output) {
        how = SHUT_RDWR;
    } else if (input) {
        how = SHUT_RD;
    } else if (output) {
        how = SHUT_WR;
    } else {
        return;
    }
    if (shutdown(fd, how) < 0 && errno != ENOTCONN) {
        fail(env, SOCKET_EXCEPTION, "shutdown", errno);
    }
}
