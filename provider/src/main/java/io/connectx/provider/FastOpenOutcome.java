package io.connectx.provider;

/**
 * What became of one connection connectx set up for Fast Open: the {@code outcome} of the
 * {@code io.connectx.FastOpen} event, and the per-destination counts of the {@code Destinations} attribute.
 * The names are a public contract.
 */
public enum FastOpenOutcome {
    /** The first write rode in the SYN and the server acknowledged it: TCP_INFO's TCPI_OPT_SYN_DATA. */
    SYN_DATA_ACKED,
    /**
     * The first write rode in the SYN and the server did not acknowledge it (no Fast Open there, a stale
     * cookie, or a middlebox that strips SYN data): the kernel resent it after the handshake.
     */
    SYN_DATA_NOT_ACKED,
    /**
     * The kernel held no cookie for the address (or had paused Fast Open to it), so connect made an
     * ordinary handshake, asking the server for a cookie.
     */
    COOKIE_REQUESTED,
    /** The first write was not known safe to replay: the SYN went out without it, and it followed the handshake. */
    HELD_REPLAY_UNSAFE,
    /** The socket was read (or waited on for reading, or shut down) before any write: a SYN without data. */
    READ_FIRST,
    /** The deferred handshake failed (refused, unreachable, timed out): reported as connect would have. */
    ERROR,
    /** Closed before anything sent its SYN (a connect-only probe, a pooled connection never used). */
    CLOSED_BEFORE_HANDSHAKE
}
