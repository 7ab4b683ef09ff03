package io.connectx.agent;

import io.connectx.agent.weaving.NettyInstrumentation;
import io.connectx.entry.ReadFirstDoor;
import io.connectx.provider.ConnectxLog;
import io.connectx.provider.ConnectxVersion;
import io.connectx.provider.DestinationPolicy;
import io.connectx.provider.FastOpenMetrics;
import io.connectx.provider.FastOpenSockets;
import io.connectx.provider.FastOpen;
import io.connectx.provider.FastOpenCapability;
import io.connectx.provider.FastOpenPlatforms;
import io.connectx.provider.ListenPolicy;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.darwin.DarwinSockets;
import java.lang.instrument.Instrumentation;
import java.util.Locale;

/**
 * Brings the agent up, or leaves the JVM exactly as it was. Every refusal is one line on stderr that
 * says why; nothing here may throw into the application. A second start in the same JVM (a live
 * attach) reconfigures the running agent; the argument {@code detach} switches it off.
 */
public final class AgentStarter {
    public static final String DETACH = "detach";
    private static final String PLAIN = "; the application runs on plain connects";
    /** The agent running in this JVM, for a later attach to reconfigure or detach. */
    private static FastOpenSockets running;

    private AgentStarter() {
    }

    public static synchronized void start(Instrumentation inst, String args, boolean fromPremain) {
        StartupClock clock = new StartupClock();
        try {
            if (DETACH.equals(args == null ? null : args.trim())) {
                detach();
                return;
            }
            AgentConfig config = AgentConfig.resolve(args, System.getProperties(), System.getenv());
            ConnectxLog.setLevel(config.log());
            clock.mark("config");
            if (running != null) {
                reconfigure(config);
                return;
            }
            chooseTestPlatform(config);
            FastOpenSockets sockets = platformSockets(config);
            if (sockets == null) {
                return;
            }
            loadListenerKey(sockets, config);
            LibcBinding libc = new LibcBinding(sockets, FastOpenPlatforms.current());
            clock.mark("engine");
            Class<?> bridge = BootstrapBridgeInjector.inject(inst);
            clock.mark("bridge");
            JdkModules.open(inst, AgentStarter.class.getModule(), bridge.getModule());
            if (!FileDescriptors.isAccessible()) {
                ConnectxLog.warn("disabled: java.io could not be opened to the agent" + PLAIN);
                return;
            }
            clock.mark("modules");
            HookInstaller.install(inst, sockets, libc, MetricsRegistration.hookPoints());
            running = sockets;
            clock.mark("weave");
            if (FastOpenPlatforms.current() == FastOpenPlatforms.Kind.LINUX) {
                NettyInstrumentation.install(inst); // Netty's epoll transport exists on Linux only
            }
            clock.mark("netty");
            ReadFirstDoor.open(new ReadFirstGuard());
            if (fromPremain) {
                JvmWideSelectorProvider.install();
            }
            clock.mark("selector");
            MetricsRegistration.install(inst, new FastOpenMetrics(sockets.stats()));
            clock.mark("metrics");
            if (config.summary()) {
                sockets.stats().wantProof();
                Runtime.getRuntime().addShutdownHook(new Thread(
                        () -> System.err.println(FastOpenMetrics.summary(sockets.stats())), "connectx-summary"));
            }
            if (ConnectxLog.isEnabled(ConnectxLog.Level.INFO)) { // reads the version resource only for the line
                ConnectxLog.info("version " + ConnectxVersion.current() + " active: " + describe(config));
            }
            ConnectxLog.debugAtStartup(clock.summary());
        } catch (AgentConfig.ConfigException e) {
            ConnectxLog.warn("disabled, bad configuration: " + e.getMessage() + PLAIN);
        } catch (Throwable t) {
            ConnectxLog.warn("disabled: " + t + PLAIN);
        }
    }

    /**
     * JNA failed to bind ({@link LibcBinding}, at the first hook that needed it): the hooks already leave every
     * socket plain. Speaks only for the running agent, so a start that failed for another reason stays one line.
     */
    static synchronized void libcFailed(FastOpenSockets sockets, String failure) {
        if (running == sockets) {
            sockets.disable(); // stays the running agent: its hooks stay woven, and inert
            ConnectxLog.warn("disabled: " + failure + PLAIN);
        }
    }

    public static synchronized boolean isRunning() {
        return running != null;
    }

    private static void detach() {
        if (running == null) {
            ConnectxLog.warn("detach: the agent is not active in this JVM");
            return;
        }
        running.disable();
        ConnectxLog.warn("detached: new connections use plain connects; open ones are untouched");
    }

    private static void reconfigure(AgentConfig config) {
        FastOpenCapability kernel = FastOpenCapability.of(FastOpenPlatforms.current());
        running.reconfigure(kernel.isClientSideAvailable() ? config.destinations() : null, config.firstWrite(),
                kernel.isServerSideAvailable() ? config.listeners() : ListenPolicy.none(), config.queueLength());
        ConnectxLog.warn("reconfigured: " + describe(config));
        loadListenerKey(running, config);
    }

    /**
     * Reads {@code listen.keyfile} for the listeners (at start, and again on each attach, which re-keys the open
     * ones). Only where listeners get Fast Open; on Linux only its file is read here, no native call is made
     * before a listener exists.
     */
    private static void loadListenerKey(FastOpenSockets sockets, AgentConfig config) {
        if (config.keyFile() == null && sockets.listenerKeys().file() == null) {
            return; // no key file, now or before: nothing to read, nothing to drop
        }
        boolean server = !config.listeners().isEmpty()
                && FastOpenCapability.of(FastOpenPlatforms.current()).isServerSideAvailable();
        sockets.listenerKeys().load(server ? config.keyFile() : null);
    }

    /**
     * The test settings {@code platform} and {@code darwin.library}: the path to run and the library the Darwin
     * bindings bind, set before anything binds. A path chosen against the OS is said on one line, whatever
     * the log level, so that such a run is never mistaken for the OS's own.
     */
    private static void chooseTestPlatform(AgentConfig config) {
        if (config.platform() != null) {
            FastOpenPlatforms.choose(config.platform());
        }
        if (config.darwinLibrary() != null) {
            DarwinSockets.useLibrary(config.darwinLibrary().toString());
        }
        FastOpenPlatforms.Kind kind = FastOpenPlatforms.current();
        if (kind != FastOpenPlatforms.kindOf(System.getProperty("os.name"))) {
            ConnectxLog.warn("test setting platform=" + kind.name().toLowerCase(Locale.ROOT) + ": runs the "
                    + (kind == FastOpenPlatforms.Kind.DARWIN ? "Darwin path (connectx(2)) on " : "Linux path on ")
                    + System.getProperty("os.name") + (kind == FastOpenPlatforms.Kind.DARWIN ? ", bound to "
                            + (DarwinSockets.library() == null ? "libSystem" : DarwinSockets.library()) : ""));
        }
    }

    private static String describe(AgentConfig config) {
        return "dest=" + config.destinations() + ";first=" + config.firstWrite().name().toLowerCase(Locale.ROOT)
                + (config.listeners().isEmpty() ? "" : ";listen=" + config.listeners() + ";listen.qlen=" + config.queueLength()
                        + (config.keyFile() == null ? "" : ";listen.keyfile=" + config.keyFile()));
    }

    /** The Fast Open logic for this OS and kernel, or null (after saying why) where there is none. */
    private static FastOpenSockets platformSockets(AgentConfig config) {
        FastOpenPlatforms.Kind kind = FastOpenPlatforms.current();
        if (kind == FastOpenPlatforms.Kind.UNSUPPORTED) {
            ConnectxLog.warn("disabled: unsupported OS '" + System.getProperty("os.name") + "' (Linux and macOS only)" + PLAIN);
            return null;
        }
        FastOpen platform = FastOpenPlatforms.unbound(kind); // JNA is bound off premain, by LibcBinding
        FastOpenCapability kernel = FastOpenCapability.of(kind);
        if (kernel.unavailabilityCause() != null) {
            ConnectxLog.warn("disabled: " + kernel.unavailabilityCause() + " (kernel without TCP Fast Open?)" + PLAIN);
            return null;
        }
        boolean client = kernel.isClientSideAvailable();
        boolean server = kernel.isServerSideAvailable();
        if (!client) {
            ConnectxLog.warn("client Fast Open off: " + kernel.clientSide() + "; set it with: " + kernel.fix() + PLAIN);
        }
        if (!server && !config.listeners().isEmpty()) {
            ConnectxLog.warn("server Fast Open off: " + kernel.serverSide() + "; set it with: " + kernel.fix() + ";"
                    + " listeners run as they would without the agent");
        }
        DestinationPolicy destinations = client ? config.destinations() : null;
        ListenPolicy listeners = server ? config.listeners() : ListenPolicy.none();
        FastOpenSockets sockets = new FastOpenSockets(platform, destinations, config.firstWrite(),
                listeners, config.queueLength());
        return sockets.isActive() ? sockets : null;
    }
}
