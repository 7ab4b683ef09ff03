package io.connectx.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A kernel that records every call and answers as the test tells it. Thread-safe: hooks run on several threads. */
class ScriptedKernel implements FastOpen {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    volatile boolean stream = true;
    volatile Outcome client = Outcome.ENABLED;
    volatile int localPort = 8080;
    /** What connectInPlace answers; null: the JDK's connect runs (Linux). */
    volatile Integer inPlace;
    volatile IOException inPlaceFailure;
    /** SYN_SENT: deferred, or its handshake under way. */
    volatile boolean pending = true;
    /** Whether the SYN was never acknowledged. */
    volatile boolean neverConnected = true;
    /** What TCP_INFO says of the SYN's data. */
    volatile boolean synDataAcked = true;
    /** Whether the platform can end a pending handshake (Linux's shutdown, Darwin's disconnectx). */
    volatile boolean abortable = true;

    @Override
    public Integer connectInPlace(int fd, InetAddress address, int port) throws IOException {
        calls.add("connectInPlace");
        if (inPlaceFailure != null) {
            throw inPlaceFailure;
        }
        return inPlace;
    }

    @Override
    public boolean isStream(int fd) {
        calls.add("isStream");
        return stream;
    }

    @Override
    public Outcome enableClient(int fd) {
        calls.add("enableClient");
        return client;
    }

    @Override
    public int localInetPort(int fd) {
        return localPort;
    }

    @Override
    public boolean handshakePending(int fd) {
        calls.add("handshakePending");
        return pending;
    }

    @Override
    public boolean synData(int fd) {
        calls.add("synData");
        return synDataAcked;
    }

    @Override
    public void startHandshake(int fd) {
        calls.add("startHandshake");
    }

    @Override
    public boolean neverConnected(int fd) {
        calls.add("neverConnected");
        return neverConnected;
    }

    @Override
    public boolean abortHandshake(int fd) {
        calls.add("abortHandshake");
        if (abortable) {
            pending = false;
        }
        return abortable;
    }

    @Override
    public Outcome enableServer(int fd, int queueLength) {
        calls.add("enableServer " + queueLength);
        return Outcome.ENABLED;
    }

    /** The calls so far, and forgets them. */
    List<String> take() {
        synchronized (calls) {
            List<String> copy = List.copyOf(calls);
            calls.clear();
            return copy;
        }
    }
}
