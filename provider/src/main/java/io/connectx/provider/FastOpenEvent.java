package io.connectx.provider;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * {@code io.connectx.FastOpen}: one admitted client connection, committed once its outcome is known. Its
 * duration runs from connect to the end of the handshake (for a connect that was not deferred, to connect's
 * return). Loaded only once a recording runs, by {@link FlightRecorderEvents}.
 *
 * <p>A recording's settings (the JDK's {@code default} and {@code profile} included) name only the JDK's own
 * events; any other event takes its class's annotations. Enabled, without a threshold, and without a stack
 * trace, which would cost far more than the event itself and would only show the JDK's socket code.
 */
@Name(FastOpenEvent.NAME)
@Label("Fast Open Connection")
@Category({"connectx"})
@Description("A client connection connectx set up for TCP Fast Open, and what became of it")
@Enabled(true)
@StackTrace(false)
@Threshold("0 ms")
final class FastOpenEvent extends jdk.jfr.Event {
    static final String NAME = "io.connectx.FastOpen";

    @Label("Address")
    @Description("The destination's IP address")
    String address;

    @Label("Port")
    @Description("The destination's port")
    int port;

    @Label("Outcome")
    @Description("SYN_DATA_ACKED, SYN_DATA_NOT_ACKED, COOKIE_REQUESTED, HELD_REPLAY_UNSAFE, READ_FIRST, ERROR or CLOSED_BEFORE_HANDSHAKE")
    String outcome;

    @Label("First Write")
    @Description("IN_SYN, HELD (not known replay-safe), AFTER_HANDSHAKE (a read came first), NOT_DEFERRED (no cookie) or NONE")
    String firstWrite;
}
