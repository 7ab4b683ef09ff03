package io.connectx.sys;

/** Linux errno values (include/uapi/asm-generic/errno-base.h and errno.h) that connectx reacts to. */
public final class Errno {
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EINVAL = 22;
    public static final int EPIPE = 32;
    public static final int ENOTSOCK = 88;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int ENETUNREACH = 101;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;

    private Errno() {
    }
}
