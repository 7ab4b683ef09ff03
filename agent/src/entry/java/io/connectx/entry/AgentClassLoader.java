package io.connectx.entry;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The agent's own class loader. The agent jar is on the application's class path (the JVM appends every
 * {@code -javaagent} jar there), so the agent's logic, JNA and relocated ByteBuddy are kept out of reach of
 * the application class loader: under {@value #PREFIX} in the jar, class files renamed {@code .classdata}
 * (as OpenTelemetry's agent keeps its classes under {@code inst/}). Only this loader reads them, so the
 * agent's code lives in this loader's unnamed module, which is the one module the agent opens JDK packages
 * to; the application's module gets nothing.
 * <p>
 * Delegation: this package ({@code io.connectx.entry}) comes from the loader of the entry classes, so both
 * sides share {@link IsolatedAgent}; the attach API from the system loader, which defines the
 * {@code jdk.attach} module; everything else from the platform loader (the JDK), then this jar. Nothing
 * comes from the application's class path.
 */
public final class AgentClassLoader extends ClassLoader {
    static final String PREFIX = "connectx/";
    /** Its static initialiser hands an {@link IsolatedAgent} over through {@link #handOver}. */
    static final String AGENT = "io.connectx.agent.EntryPoints";
    private static final String ENTRY_PACKAGE = "io.connectx.entry.";
    private static final String ATTACH_PACKAGE = "com.sun.tools.attach.";

    private static IsolatedAgent agent;
    private static AgentClassLoader initialising;

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String jarUrl;
    private final ProtectionDomain domain;
    private final Attributes mainAttributes;

    private AgentClassLoader(File jarFile, ClassLoader parent) throws IOException {
        super(parent);
        this.jar = new JarFile(jarFile, false);
        URL location = jarFile.toURI().toURL();
        this.jarUrl = "jar:" + location + "!/";
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
        this.mainAttributes = jar.getManifest() == null ? new Attributes() : jar.getManifest().getMainAttributes();
    }

    /** The agent in its own loader, created once per JVM (a later attach finds the running one). */
    static synchronized IsolatedAgent agent() throws IOException, ClassNotFoundException, URISyntaxException {
        if (agent == null) {
            File jarFile = new File(AgentClassLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // The system loader's parent: the platform loader (the JDK's modules, nothing of the class path).
            AgentClassLoader loader = new AgentClassLoader(jarFile, ClassLoader.getSystemClassLoader().getParent());
            initialising = loader;
            try {
                Class.forName(AGENT, true, loader);
            } finally {
                initialising = null;
            }
            if (agent == null) {
                throw new IllegalStateException(AGENT + " did not hand itself over");
            }
        }
        return agent;
    }

    /**
     * Called by {@value #AGENT}'s static initialiser, inside {@link #agent()} on the same thread. Accepts
     * only an object of a class this loader defined, so nothing else can take the agent's place.
     */
    public static void handOver(IsolatedAgent value) {
        AgentClassLoader loader = initialising;
        if (loader != null && value != null && value.getClass().getClassLoader() == loader) {
            agent = value;
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (name.startsWith(ENTRY_PACKAGE)) {
                    c = Class.forName(name, false, AgentClassLoader.class.getClassLoader());
                } else if (name.startsWith(ATTACH_PACKAGE)) {
                    c = Class.forName(name, false, ClassLoader.getSystemClassLoader());
                } else {
                    try {
                        c = getParent().loadClass(name);
                    } catch (ClassNotFoundException e) {
                        c = findClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        // The bridge classes for java.base and java.management are in the jar only to be read as resources by
        // the agent, which defines them in the bootstrap loader; they are never defined here.
        if (name.startsWith("sun.") || name.startsWith("java.")) {
            throw new ClassNotFoundException(name);
        }
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = readAll(in);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        definePackageOf(name);
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** Packages carry the jar's Implementation-Title and -Version, as a class path jar's would. */
    private void definePackageOf(String className) {
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
            return;
        }
        String name = className.substring(0, dot);
        if (getPackage(name) == null) {
            try {
                definePackage(name, null, null, null, mainAttributes.getValue(Attributes.Name.IMPLEMENTATION_TITLE),
                        mainAttributes.getValue(Attributes.Name.IMPLEMENTATION_VERSION), null, null);
            } catch (IllegalArgumentException raced) {
                // another thread defined it first
            }
        }
    }

    @Override
    protected URL findResource(String name) {
        String entry = entryName(name);
        if (jar.getEntry(entry) == null) {
            return null;
        }
        try {
            return new URL(jarUrl + entry);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    /**
     * This jar's resources straight from the open JarFile (the bridge classes the agent reads at start-up),
     * without the jar: URL machinery; the JDK's own resources from the parent as usual.
     */
    @Override
    public InputStream getResourceAsStream(String name) {
        JarEntry entry = jar.getJarEntry(entryName(name));
        if (entry == null) {
            return super.getResourceAsStream(name);
        }
        try {
            return jar.getInputStream(entry);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.<URL>emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }

    private static String entryName(String resource) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        return PREFIX + (path.endsWith(".class") ? path.substring(0, path.length() - 6) + ".classdata" : path);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
