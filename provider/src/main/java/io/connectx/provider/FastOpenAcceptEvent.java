package io.connectx.provider;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * {@code io.connectx.FastOpenAccept}: one connection accepted on a listener connectx enabled for Fast Open.
 * Enabled by its annotations in every recording, as {@link FastOpenEvent} is.
 */
@Name(FastOpenAcceptEvent.NAME)
@Label("Fast Open Accept")
@Category({"connectx"})
@Description("A connection accepted on a listener connectx enabled for TCP Fast Open")
@Enabled(true)
@StackTrace(false)
@Threshold("0 ms")
final class FastOpenAcceptEvent extends jdk.jfr.Event {
    static final String NAME = "io.connectx.FastOpenAccept";

    @Label("Local Port")
    int localPort;

    @Label("Peer Address")
    String peerAddress;

    @Label("Peer Port")
    int peerPort;

    @Label("SYN Data")
    @Description("The SYN carried data the listener accepted: TCP_INFO's TCPI_OPT_SYN_DATA")
    boolean synData;
}
