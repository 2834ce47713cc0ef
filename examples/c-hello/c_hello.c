/* A Qirvo plugin in C: logs in each phase and counts its starts in storage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qirvo.h"

static void log_line(int32_t level, const char *text) { qirvo_log(level, text, strlen(text)); }

QIRVO_EXPORT("qirvo_alloc") int32_t qirvo_alloc(int32_t size) {
    return (int32_t)(uintptr_t)malloc(size > 0 ? (size_t)size : 1);
}

static long read_count(void) {
    int64_t found = qirvo_storage_get("count", 5);
    if (found < 0) {
        return 0;
    }
    char text[32] = {0};
    size_t len = qirvo_buffer_len(found);
    memcpy(text, qirvo_buffer_ptr(found), len < sizeof text - 1 ? len : sizeof text - 1);
    free(qirvo_buffer_ptr(found));
    return strtol(text, NULL, 10);
}

QIRVO_EXPORT("qirvo_initialize") int32_t qirvo_initialize(void) {
    log_line(QIRVO_INFO, "c-hello: initialize");
    return 0;
}

QIRVO_EXPORT("qirvo_start") int32_t qirvo_start(void) {
    long count = read_count() + 1;
    char text[32];
    int len = snprintf(text, sizeof text, "%ld", count);
    if (qirvo_storage_set("count", 5, text, (size_t)len) != 0) {
        log_line(QIRVO_ERROR, "c-hello: cannot store the count");
        return 1;
    }
    char line[64];
    snprintf(line, sizeof line, "c-hello: start number %ld", count);
    log_line(QIRVO_INFO, line);
    printf("hello from C\n");
    fflush(stdout);
    return 0;
}

QIRVO_EXPORT("qirvo_stop") int32_t qirvo_stop(void) {
    log_line(QIRVO_INFO, "c-hello: stop");
    return 0;
}
