"""Her token's life through the API: renew it before it ends, or sign out."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from screening.authentication import IsVerifiedPhone, ParticipantTokenAuthentication
from screening.tokens import participant_token_end, participant_token_renew


class TokenRenewApi(APIView):
    """Swap the token sent for a new one that lives another 7 days; the token
    sent ends at once. Renew before `expires_at`: an ended token renews nothing
    and she signs in with a code again."""

    authentication_classes = [ParticipantTokenAuthentication]
    permission_classes = [IsVerifiedPhone]

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

        class Meta:
            ref_name = "ParticipantTokenRenewed"

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        renewed = participant_token_renew(token_id=request.user.token_id)
        if renewed is None:
            # Ended between the check and the renewal (a sign-out, a second renewal).
            raise AuthenticationFailed("Invalid or expired token.")
        key, token = renewed
        body = {"token": key, "expires_at": token.expires_at}
        return Response(self.OutputSerializer(body).data)


class SignOutApi(APIView):
    """End the token sent: it opens nothing from now on."""

    authentication_classes = [ParticipantTokenAuthentication]
    permission_classes = [IsVerifiedPhone]

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Signed out.")}
    )
    def post(self, request: Request) -> Response:
        participant_token_end(token_id=request.user.token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
