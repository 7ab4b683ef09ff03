package io.connectx.agent;

import io.connectx.provider.ConnectxLog;
import io.connectx.provider.ConnectxSelectorProvider;
import io.connectx.provider.DestinationPolicy;
import io.connectx.provider.FastOpenSockets;
import io.connectx.provider.LinuxFastOpen;
import io.connectx.provider.ListenPolicy;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.KernelFastOpen;
import io.connectx.sys.LinuxSockets;
import java.lang.instrument.Instrumentation;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Brings the agent up, or leaves the JVM exactly as it was. Every refusal is one line on stderr that
 * says why; nothing here may throw into the application.
 */
final class AgentStarter {
    static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    private static final String PLAIN = "; the application runs on plain connects";

    private AgentStarter() {
    }

    static void start(Instrumentation inst, String args, boolean fromPremain) {
        try {
            AgentConfig config = AgentConfig.resolve(args, System.getProperties(), System.getenv());
            FastOpenSockets sockets = platformSockets(config);
            if (sockets == null) {
                return;
            }
            Class<?> bridge = BootstrapBridgeInjector.inject(inst);
            JdkModules.open(inst, AgentStarter.class.getModule(), bridge.getModule());
            if (!FileDescriptors.isAccessible()) {
                ConnectxLog.warn("disabled: java.io could not be opened to the agent" + PLAIN);
                return;
            }
            HookInstaller.install(inst, sockets);
            if (fromPremain) {
                installSelectorProvider();
            }
        } catch (AgentConfig.ConfigException e) {
            ConnectxLog.warn("disabled, bad configuration: " + e.getMessage() + PLAIN);
        } catch (Throwable t) {
            ConnectxLog.warn("disabled: " + t + PLAIN);
        }
    }

    /** The Fast Open logic for this OS and kernel, or null (after saying why) where there is none. */
    private static FastOpenSockets platformSockets(AgentConfig config) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("mac")) {
            ConnectxLog.warn("disabled: the macOS (connectx(2)) path is not available in this build" + PLAIN);
            return null;
        }
        if (!os.startsWith("linux")) {
            ConnectxLog.warn("disabled: unsupported OS '" + System.getProperty("os.name") + "' (Linux and macOS only)" + PLAIN);
            return null;
        }
        if (!LinuxSockets.isAvailable()) {
            ConnectxLog.warn("disabled: JNA could not bind libc: " + LinuxSockets.unavailabilityCause() + PLAIN);
            return null;
        }
        OptionalInt sysctl = KernelFastOpen.sysctl();
        if (sysctl.isEmpty()) {
            ConnectxLog.warn("disabled: cannot read " + KernelFastOpen.SYSCTL + " (kernel without TCP Fast Open?)" + PLAIN);
            return null;
        }
        boolean client = (sysctl.getAsInt() & KernelFastOpen.CLIENT) != 0;
        boolean server = (sysctl.getAsInt() & KernelFastOpen.SERVER) != 0;
        if (!client) {
            ConnectxLog.warn("client Fast Open off: net.ipv4.tcp_fastopen=" + sysctl.getAsInt()
                    + " lacks the client bit 1; set it with: sysctl -w net.ipv4.tcp_fastopen=3" + PLAIN);
        }
        if (!server && !config.listeners().isEmpty()) {
            ConnectxLog.warn("server Fast Open off: net.ipv4.tcp_fastopen=" + sysctl.getAsInt()
                    + " lacks the server bit 2; set it with: sysctl -w net.ipv4.tcp_fastopen=3;"
                    + " listeners run as they would without the agent");
        }
        DestinationPolicy destinations = client ? config.destinations() : null;
        ListenPolicy listeners = server ? config.listeners() : ListenPolicy.none();
        FastOpenSockets sockets = new FastOpenSockets(new LinuxFastOpen(), destinations, config.firstWrite(),
                listeners, config.queueLength());
        return sockets.isActive() ? sockets : null;
    }

    /**
     * Makes {@link ConnectxSelectorProvider} the JVM-wide provider, unless the application chose its own.
     * The JDK reads the property on the first {@code SelectorProvider.provider()} call, which premain precedes.
     */
    private static void installSelectorProvider() {
        String chosen = System.getProperty(PROVIDER_PROPERTY);
        if (chosen != null && !chosen.equals(ConnectxSelectorProvider.class.getName())) {
            ConnectxLog.warn("keeping the application's SelectorProvider " + chosen);
            return;
        }
        new ConnectxSelectorProvider(); // fails here, not inside the JDK, if the platform provider is out of reach
        System.setProperty(PROVIDER_PROPERTY, ConnectxSelectorProvider.class.getName());
        SelectorProvider installed = SelectorProvider.provider();
        if (!(installed instanceof ConnectxSelectorProvider)) {
            ConnectxLog.warn("SelectorProvider " + installed.getClass().getName()
                    + " was chosen before the agent started; connects are still hooked");
        }
    }
}
