/*
 * qirvo.h — the Qirvo plugin ABI for C (clang --target=wasm32-wasi).
 *
 * Strings and buffers are (pointer, length) pairs. Functions returning int64_t give either a
 * buffer packed as (ptr << 32) | len, allocated through your exported qirvo_alloc, or a
 * negative QIRVO_E_* code; qirvo_last_error() then returns the host's message. Functions
 * returning int32_t give 0 on success or a negative QIRVO_E_* code.
 *
 * A plugin exports memory (automatic), qirvo_alloc, qirvo_initialize, qirvo_start and
 * qirvo_stop; qirvo_health_check and qirvo_on_event are optional. Entry points return 0 on
 * success. QIRVO_EXPORT marks them for export.
 */
#ifndef QIRVO_H
#define QIRVO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QIRVO_IMPORT(name) __attribute__((import_module("qirvo"), import_name(name)))
#define QIRVO_EXPORT(name) __attribute__((export_name(name)))

enum {
    QIRVO_E_NOT_FOUND = -1,
    QIRVO_E_DENIED = -2,
    QIRVO_E_LIMIT_EXCEEDED = -3,
    QIRVO_E_INVALID_ARGUMENT = -4,
    QIRVO_E_FAILED = -5,
    QIRVO_E_TIMEOUT = -6,
    QIRVO_E_UNSUPPORTED = -7,
};

enum { QIRVO_TRACE = 0, QIRVO_DEBUG = 1, QIRVO_INFO = 2, QIRVO_WARN = 3, QIRVO_ERROR = 4 };

/* Always available. */
QIRVO_IMPORT("log") void qirvo_log(int32_t level, const char *ptr, size_t len);
QIRVO_IMPORT("now_ms") int64_t qirvo_now_ms(void);
QIRVO_IMPORT("monotonic_ns") int64_t qirvo_monotonic_ns(void);
QIRVO_IMPORT("config_get") int64_t qirvo_config_get(const char *key, size_t key_len);
QIRVO_IMPORT("last_error") int64_t qirvo_last_error(void);
QIRVO_IMPORT("event_publish")
int32_t qirvo_event_publish(const char *topic, size_t topic_len, const void *payload, size_t payload_len);

/* storage-read / storage-write */
QIRVO_IMPORT("storage_get") int64_t qirvo_storage_get(const char *key, size_t key_len);
QIRVO_IMPORT("storage_list") int64_t qirvo_storage_list(const char *prefix, size_t prefix_len);
QIRVO_IMPORT("storage_set")
int32_t qirvo_storage_set(const char *key, size_t key_len, const void *value, size_t value_len);
QIRVO_IMPORT("storage_delete") int32_t qirvo_storage_delete(const char *key, size_t key_len);

/* network-access: request and response are JSON ({"method","url","headers","body"}). */
QIRVO_IMPORT("http_request") int64_t qirvo_http_request(const char *request_json, size_t len);
QIRVO_IMPORT("http_send") int64_t qirvo_http_send(const char *request_json, size_t len);
QIRVO_IMPORT("http_wait") int64_t qirvo_http_wait(int64_t request_id);

/* notifications */
QIRVO_IMPORT("notify")
int32_t qirvo_notify(const char *title, size_t title_len, const char *body, size_t body_len);

/* Unpacking an int64_t buffer result (check for < 0 first). */
static inline void *qirvo_buffer_ptr(int64_t packed) { return (void *)(uintptr_t)(uint32_t)(packed >> 32); }
static inline size_t qirvo_buffer_len(int64_t packed) { return (size_t)(uint32_t)packed; }

#ifdef __cplusplus
}
#endif

#endif
