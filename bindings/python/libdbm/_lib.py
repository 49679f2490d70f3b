"""Finds libdbm.so.1 and declares the C signature of every function the
binding calls, so that ctypes never guesses an int.

The library is a ctypes.CDLL: ctypes releases the GIL around every call
into it, so long calls (store opens and commits, fits, scoring with
threads) let other Python threads run.
"""

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int32,
                    c_int64, c_size_t, c_uint32, c_void_p)

_SONAME = "libdbm.so.1"


def _candidates():
    """Where to look, in order: $LIBDBM_LIBRARY, the source tree's default
    build directory (bindings/python/libdbm -> ../../../build/lib), then the
    dynamic linker's search path."""
    explicit = os.environ.get("LIBDBM_LIBRARY")
    if explicit:
        return [explicit]
    here = os.path.dirname(os.path.abspath(__file__))
    build_tree = os.path.join(here, "..", "..", "..", "build", "lib", _SONAME)
    return [os.path.normpath(build_tree), _SONAME]


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append(path + ": no such file")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("cannot load libdbm (set LIBDBM_LIBRARY to the path of "
                      + _SONAME + "): " + "; ".join(errors))


lib = _load()

# --- callback types ---------------------------------------------------------
MALLOC_FN = CFUNCTYPE(c_void_p, c_size_t, c_void_p)
REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p)
LOG_FN = CFUNCTYPE(None, c_int, c_char_p, c_void_p)
CLOCK_FN = CFUNCTYPE(c_int64, c_void_p)
CONSENT_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_int, c_int64, c_char_p,
                       c_char_p, c_void_p)
STALE_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_char_p, c_int64, c_void_p)


# --- option structs (laid out as in the C headers) ----------------------------
class ContextOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("log_level", c_int32),
                ("malloc_fn", MALLOC_FN), ("realloc_fn", REALLOC_FN),
                ("free_fn", FREE_FN), ("alloc_user_data", c_void_p),
                ("log_fn", LOG_FN), ("log_user_data", c_void_p),
                ("clock_fn", CLOCK_FN), ("clock_user_data", c_void_p)]


class StoreOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("flags", c_uint32),
                ("money_scale", c_int64), ("compress_snapshots", c_int32),
                ("reserved", c_int32), ("checkpoint_log_bytes", c_int64)]


class FitOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("penalizer", c_double),
                ("max_iterations", c_int32), ("tolerance", c_double),
                ("initial", POINTER(c_double))]


class RfmOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("bins", c_int32),
                ("monetary_mode", c_int32), ("frequency_mode", c_int32),
                ("lookback_days", c_int32)]


class PolicyRequest(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("message_class", c_int32),
                ("customer_id", c_char_p), ("channel", c_char_p),
                ("campaign", c_char_p), ("business_unit", c_char_p),
                ("time", c_int64), ("priority", c_int32), ("reserved", c_int32)]


class ScoreOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("unit", c_int32),
                ("horizon", c_int32), ("clv_months", c_int32),
                ("monthly_discount", c_double), ("margin", c_double),
                ("threads", c_int32), ("reserved", c_int32)]


P = c_void_p            # any opaque handle
PP = POINTER(c_void_p)  # out-parameter receiving a handle
INT = c_int
I32, I64, DBL = c_int32, c_int64, c_double
STR = c_char_p          # const char * in
PSTR = POINTER(c_char_p)   # const char ** out, owned by libdbm's object
PI, PI32, PI64, PD = (POINTER(c_int), POINTER(c_int32), POINTER(c_int64),
                      POINTER(c_double))
SIZE, PSIZE = c_size_t, POINTER(c_size_t)
BUF = ctypes.c_char_p    # char *buffer filled by libdbm

# name: (restype, argtypes). Functions returning a status return INT.
_SIGNATURES = {
    # common
    "libdbm_strerror": (c_char_p, [INT]),
    "libdbm_version": (c_char_p, []),
    "libdbm_version_number": (I32, []),
    "libdbm_has_feature": (INT, [INT]),
    "libdbm_free_string": (None, [P]),
    "libdbm_free_blob": (None, [P]),
    # context
    "libdbm_context_options_init": (INT, [POINTER(ContextOptions)]),
    "libdbm_context_new": (INT, [PP, POINTER(ContextOptions)]),
    "libdbm_context_free": (None, [P]),
    "libdbm_context_set_log": (INT, [P, LOG_FN, INT, P]),
    "libdbm_context_set_clock": (INT, [P, CLOCK_FN, P]),
    "libdbm_context_set_zoneinfo_dir": (INT, [P, STR]),
    "libdbm_context_now": (I64, [P]),
    "libdbm_context_errmsg": (c_char_p, [P]),
    "libdbm_context_errcode": (INT, [P]),
    # time and time zones
    "libdbm_time_parse": (INT, [PI64, STR]),
    "libdbm_time_format": (INT, [BUF, SIZE, I64]),
    "libdbm_time_format_date": (INT, [BUF, SIZE, I64]),
    "libdbm_tz_offset": (INT, [P, PI32, STR, I64]),
    # store
    "libdbm_store_options_init": (INT, [POINTER(StoreOptions)]),
    "libdbm_store_open": (INT, [PP, P, STR, POINTER(StoreOptions)]),
    "libdbm_store_close": (INT, [P]),
    "libdbm_store_begin": (INT, [P]),
    "libdbm_store_commit": (INT, [P]),
    "libdbm_store_rollback": (INT, [P]),
    "libdbm_store_checkpoint": (INT, [P]),
    "libdbm_store_profile_ensure": (INT, [P, PI, STR]),
    "libdbm_store_profile_exists": (INT, [P, PI, STR]),
    "libdbm_store_profile_resolve": (INT, [P, PP, STR]),
    "libdbm_store_profile_count": (INT, [P, PI64]),
    "libdbm_store_attr_declare": (INT, [P, STR, INT]),
    "libdbm_store_attr_set_string": (INT, [P, STR, STR, STR]),
    "libdbm_store_attr_set_int64": (INT, [P, STR, STR, I64]),
    "libdbm_store_attr_set_double": (INT, [P, STR, STR, DBL]),
    "libdbm_store_attr_set_bool": (INT, [P, STR, STR, INT]),
    "libdbm_store_attr_set_time": (INT, [P, STR, STR, I64]),
    "libdbm_store_attr_delete": (INT, [P, STR, STR]),
    "libdbm_store_attr_type": (INT, [P, PI, STR, STR]),
    "libdbm_store_attr_get_string": (INT, [P, PP, STR, STR]),
    "libdbm_store_attr_get_int64": (INT, [P, PI64, STR, STR]),
    "libdbm_store_attr_get_double": (INT, [P, PD, STR, STR]),
    "libdbm_store_attr_get_bool": (INT, [P, PI, STR, STR]),
    "libdbm_store_attr_get_time": (INT, [P, PI64, STR, STR]),
    "libdbm_store_channel_set_address": (INT, [P, STR, STR, STR, I64]),
    "libdbm_store_channel_verify": (INT, [P, STR, STR, I64]),
    "libdbm_store_channel_set_invalid": (INT, [P, STR, STR, INT, I64]),
    "libdbm_store_consent_record": (INT, [P, STR, STR, STR, INT, I64, STR, STR]),
    "libdbm_store_channel_get_address": (INT, [P, PP, STR, STR]),
    "libdbm_store_channel_get_consent": (INT, [P, PI, PI64, STR, STR, STR]),
    "libdbm_store_channel_get_status": (INT, [P, PI64, PI, STR, STR]),
    "libdbm_store_consent_history": (INT, [P, STR, CONSENT_FN, P]),
    "libdbm_store_stale_addresses": (INT, [P, STR, I64, I64, STALE_FN, P]),
    "libdbm_store_purchase_add": (INT, [P, PI, STR, I64, DBL, STR]),
    "libdbm_store_purchase_add_minor": (INT, [P, PI, STR, I64, I64, STR]),
    "libdbm_store_aggregate": (INT, [P, PI64, STR, INT]),
    "libdbm_store_money_scale": (INT, [P, PI64]),
    "libdbm_store_contact_add": (INT, [P, STR, I64, STR, STR, I32, INT]),
    "libdbm_store_contact_count": (INT, [P, PI64, STR, STR, INT, I64, I64]),
    "libdbm_store_event_add": (INT, [P, STR, STR, I64, DBL]),
    "libdbm_store_event_count": (INT, [P, PI64, STR, STR, I64, I64]),
    "libdbm_store_merge": (INT, [P, STR, STR]),
    "libdbm_store_erase": (INT, [P, STR, INT]),
    "libdbm_store_is_suppressed": (INT, [P, PI, STR, STR]),
    "libdbm_store_cursor_new": (INT, [PP, P]),
    "libdbm_store_cursor_next": (INT, [P, PSTR]),
    "libdbm_store_cursor_free": (None, [P]),
    # summary
    "libdbm_summary_new": (INT, [PP, P, I64, INT]),
    "libdbm_summary_free": (None, [P]),
    "libdbm_summary_count": (INT, [P, PI64]),
    "libdbm_summary_get": (INT, [P, PSTR, PD, PD, PD, PD, I64]),
    "libdbm_summary_columns": (INT, [P, POINTER(PD), POINTER(PD),
                                     POINTER(PD), POINTER(PD)]),
    "libdbm_summary_format_row": (INT, [P, BUF, SIZE, I64, I32]),
    "libdbm_summary_add_to_stats": (INT, [P, P]),
    # statistics and models
    "libdbm_stats_new": (INT, [PP, P]),
    "libdbm_stats_free": (None, [P]),
    "libdbm_stats_add": (INT, [P, DBL, DBL, DBL, DBL, DBL]),
    "libdbm_stats_add_array": (INT, [P, PD, PD, PD, PD, PD, I64]),
    "libdbm_stats_merge": (INT, [P, P]),
    "libdbm_stats_customers": (INT, [P, PD]),
    "libdbm_stats_rows": (INT, [P, PI64]),
    "libdbm_stats_save": (INT, [P, PP, PSIZE]),
    "libdbm_stats_load": (INT, [PP, P, c_char_p, SIZE]),
    "libdbm_model_new": (INT, [PP, P, INT]),
    "libdbm_model_free": (None, [P]),
    "libdbm_model_kind": (INT, [P, PI]),
    "libdbm_model_param_count": (INT, [P, PI32]),
    "libdbm_model_set_params": (INT, [P, PD, I32]),
    "libdbm_model_get_params": (INT, [P, PD, I32]),
    "libdbm_fit_options_init": (INT, [POINTER(FitOptions)]),
    "libdbm_model_fit": (INT, [P, P, POINTER(FitOptions)]),
    "libdbm_model_log_likelihood": (INT, [P, P, PD]),
    "libdbm_model_fit_info": (INT, [P, PD, PI32, PI, PD]),
    "libdbm_model_std_errors": (INT, [P, PD, I32]),
    "libdbm_model_p_alive": (INT, [P, PD, DBL, DBL, DBL]),
    "libdbm_model_expected_purchases": (INT, [P, PD, DBL, DBL, DBL, DBL]),
    "libdbm_model_expected_purchases_new": (INT, [P, PD, DBL]),
    "libdbm_model_prob_purchases": (INT, [P, PD, I32, DBL]),
    "libdbm_model_p_alive_array": (INT, [P, PD, PD, PD, PD, I64, I32]),
    "libdbm_model_expected_purchases_array": (INT, [P, PD, DBL, PD, PD, PD,
                                                    I64, I32]),
    "libdbm_model_expected_spend": (INT, [P, PD, DBL, DBL]),
    "libdbm_model_clv": (INT, [P, P, PD, DBL, DBL, DBL, DBL, I32, DBL, DBL,
                               DBL]),
    "libdbm_model_save": (INT, [P, PP, PSIZE]),
    "libdbm_model_load": (INT, [PP, P, c_char_p, SIZE]),
    "libdbm_model_to_json": (INT, [P, PP]),
    "libdbm_model_from_json": (INT, [PP, P, STR]),
    # RFM
    "libdbm_rfm_options_init": (INT, [POINTER(RfmOptions)]),
    "libdbm_rfm_bins_fit": (INT, [PP, P, PD, PD, PD, I64,
                                  POINTER(RfmOptions)]),
    "libdbm_rfm_bins_score": (INT, [P, PI32, PI32, PI32, PD, PD, PD, I64]),
    "libdbm_rfm_bins_info": (INT, [P, PI32, PI32, PI32, PI32]),
    "libdbm_rfm_bins_boundary": (INT, [P, PD, I32, I32]),
    "libdbm_rfm_bins_save": (INT, [P, PP, PSIZE]),
    "libdbm_rfm_bins_load": (INT, [PP, P, c_char_p, SIZE]),
    "libdbm_rfm_bins_free": (None, [P]),
    "libdbm_rfm_segments_new_default": (INT, [PP, P]),
    "libdbm_rfm_segments_clear": (INT, [P]),
    "libdbm_rfm_segments_add_rule": (INT, [P, STR, I32, I32, I32, I32, I32,
                                           I32]),
    "libdbm_rfm_segments_parse": (INT, [P, STR]),
    "libdbm_rfm_segments_set_fallback": (INT, [P, STR]),
    "libdbm_rfm_segments_count": (INT, [P, PI32]),
    "libdbm_rfm_segments_classify": (INT, [P, PSTR, PI32, I32, I32, I32]),
    "libdbm_rfm_segments_free": (None, [P]),
    # scores and the holdout check
    "libdbm_score_options_init": (INT, [POINTER(ScoreOptions)]),
    "libdbm_scores_compute": (INT, [PP, P, I64, P, P, P, P,
                                    POINTER(RfmOptions),
                                    POINTER(ScoreOptions)]),
    "libdbm_scores_free": (None, [P]),
    "libdbm_scores_count": (INT, [P, PI64]),
    "libdbm_scores_get": (INT, [P, PSTR, PSTR, PI32, PI32, PI32, PD, PD, PD,
                                PD, I64]),
    "libdbm_scores_get_rfm_values": (INT, [P, PD, PD, PD, I64]),
    "libdbm_scores_format_row": (INT, [P, BUF, SIZE, I64]),
    "libdbm_scores_write_back": (INT, [P, P]),
    "libdbm_holdout_compute": (INT, [PP, P, P, I64, I64, INT, I32]),
    "libdbm_holdout_free": (None, [P]),
    "libdbm_holdout_bucket": (INT, [P, PI64, PD, PD, I32]),
    # segments
    "libdbm_segment_compile": (INT, [PP, P, STR]),
    "libdbm_segment_compile_with": (INT, [PP, P, STR, P]),
    "libdbm_segment_last_error": (INT, [P, PI32, PI32]),
    "libdbm_segment_to_string": (INT, [P, PP]),
    "libdbm_segment_free": (None, [P]),
    "libdbm_segment_registry_new": (INT, [PP, P]),
    "libdbm_segment_registry_free": (None, [P]),
    "libdbm_segment_registry_define": (INT, [P, STR, P]),
    "libdbm_members_count": (I64, [P]),
    "libdbm_members_next": (INT, [P, PI64]),
    "libdbm_members_contains": (INT, [P, I64]),
    "libdbm_members_and": (INT, [PP, P, P]),
    "libdbm_members_or": (INT, [PP, P, P]),
    "libdbm_members_minus": (INT, [PP, P, P]),
    "libdbm_members_free": (None, [P]),
}


# Segment evaluation, contact policies and campaigns: declared when the
# library has them; otherwise each function is a stub returning
# LIBDBM_ENOTSUP, so only their wrappers fail (with libdbm.NotSupported).
_LATER_SIGNATURES = {
    "libdbm_segment_evaluate": (INT, [PP, P, P, I64]),
    "libdbm_segment_count": (INT, [PI64, P, P, I64]),
    "libdbm_segment_test": (INT, [PI, P, P, STR, I64]),
    "libdbm_members_id": (INT, [P, PP, P, I64]),
    "libdbm_members_export_ids": (INT, [P, PP, PSIZE, PI64, P]),
    "libdbm_policy_parse": (INT, [PP, P, STR]),
    "libdbm_policy_last_error": (INT, [P, PI32, PI32]),
    "libdbm_policy_to_string": (INT, [P, PP]),
    "libdbm_policy_free": (None, [P]),
    "libdbm_policy_request_init": (INT, [POINTER(PolicyRequest)]),
    "libdbm_policy_answer_new": (INT, [PP, P]),
    "libdbm_policy_answer_free": (None, [P]),
    "libdbm_policy_answer_verdict": (INT, [P]),
    "libdbm_policy_answer_until": (I64, [P]),
    "libdbm_policy_answer_rule": (c_char_p, [P]),
    "libdbm_policy_answer_reason": (c_char_p, [P]),
    "libdbm_policy_answer_recorded": (INT, [P]),
    "libdbm_policy_check": (INT, [P, P, P, POINTER(PolicyRequest)]),
    "libdbm_policy_check_and_record": (INT, [P, P, P, POINTER(PolicyRequest)]),
    "libdbm_policy_explain": (INT, [P, PP, P, POINTER(PolicyRequest)]),
    "libdbm_campaign_parse": (INT, [PP, P, STR]),
    "libdbm_campaign_last_error": (INT, [P, PI32, PI32]),
    "libdbm_campaign_to_string": (INT, [P, PP]),
    "libdbm_campaign_free": (None, [P]),
    "libdbm_campaign_scheduler_new": (INT, [PP, P, P, P]),
    "libdbm_campaign_scheduler_free": (None, [P]),
    "libdbm_campaign_enter_segment": (INT, [P, PI64, I64]),
    "libdbm_campaign_enter": (INT, [P, PI, STR, I64]),
    "libdbm_campaign_trigger": (INT, [P, PI, STR, STR, I64]),
    "libdbm_campaign_due": (INT, [P, PP, I64]),
    "libdbm_campaign_due_for": (INT, [P, PP, STR, I64]),
    "libdbm_campaign_actions_count": (I64, [P]),
    "libdbm_campaign_action_get": (INT, [P, I64, PSTR, PSTR, PI32, PSTR, PSTR, PI]),
    "libdbm_campaign_actions_free": (None, [P]),
    "libdbm_campaign_record_outcome": (INT, [P, STR, INT, I64]),
    "libdbm_campaign_report": (INT, [P, PP, INT]),
    "libdbm_campaign_uplift": (INT, [P, PD, PD, PD, PD, PD]),
}

_ENOTSUP = -12


def _not_supported(*_args):
    return _ENOTSUP


def _declare(signatures, required):
    for name, (restype, argtypes) in signatures.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            if required:
                raise
            setattr(lib, name, _not_supported)
            continue
        fn.restype = restype
        fn.argtypes = argtypes


_declare(_SIGNATURES, required=True)
_declare(_LATER_SIGNATURES, required=False)
