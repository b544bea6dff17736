"""A person revokes their own API tokens: the one this request is signed with, or all of them.

Nobody can name another person's token here: each view acts only on `request.user`'s own.
Administrators revoke anyone's in the Django admin (oversight/admin.py).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight import tokens

UNAUTHENTICATED = OpenApiResponse(description="No token, a bad, expired or revoked token.")


class TokenRevokeView(APIView):
    """Revoke the token this request is signed with."""

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked: the token answers 401 from now on."),
            400: OpenApiResponse(description="Signed in with a session, not a token."),
            401: UNAUTHENTICATED,
        },
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            return Response(
                {
                    "detail": "This request is signed in with a session, not a token: there is "
                    "no token to revoke. Use revoke-all/ to revoke all your tokens."
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        tokens.token_revoke(token=request.auth, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllView(APIView):
    """Revoke every token of the signed-in person (by token or by session)."""

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="All your tokens are revoked."),
            401: UNAUTHENTICATED,
        },
    )
    def post(self, request: Request) -> Response:
        tokens.tokens_revoke_all(user=request.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
