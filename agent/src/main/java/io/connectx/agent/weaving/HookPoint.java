package io.connectx.agent.weaving;

/**
 * One method to weave: its name, its parameter list as a descriptor fragment (e.g.
 * {@code (Ljava/nio/ByteBuffer;)}; the return type may differ between JDKs and is read from the class), and
 * the {@link MethodHook} woven into it. A plain class rather than a record: a record's equals, hashCode and
 * toString are bootstrapped through invokedynamic the first time they run, inside premain.
 */
public final class HookPoint {
    private final String method;
    private final String parameters;
    private final MethodHook hook;

    public HookPoint(String method, String parameters, MethodHook hook) {
        this.method = method;
        this.parameters = parameters;
        this.hook = hook;
    }

    MethodHook hook() {
        return hook;
    }

    boolean matches(String name, String descriptor) {
        return method.equals(name) && descriptor.startsWith(parameters);
    }

    @Override
    public String toString() {
        return method + parameters;
    }
}
