-- CreateTable
CREATE TABLE "Survey" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL DEFAULT 'survey',
    "questions" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "sendAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "remindAfterDays" INTEGER NOT NULL DEFAULT 3,
    "remindedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "createdById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Survey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" SERIAL NOT NULL,
    "surveyId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "liaisonId" INTEGER,
    "answers" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "asked" BOOLEAN NOT NULL DEFAULT false,
    "answeredById" INTEGER,
    "filledByLiaison" BOOLEAN NOT NULL DEFAULT false,
    "remindedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SurveyResponse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiaisonReport" (
    "id" SERIAL NOT NULL,
    "liaisonId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LiaisonReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Survey_status_sendAt_idx" ON "Survey"("status", "sendAt");

-- CreateIndex
CREATE INDEX "Survey_regionId_idx" ON "Survey"("regionId");

-- CreateIndex
CREATE INDEX "SurveyResponse_surveyId_status_idx" ON "SurveyResponse"("surveyId", "status");

-- CreateIndex
CREATE INDEX "SurveyResponse_householdId_status_idx" ON "SurveyResponse"("householdId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyResponse_surveyId_householdId_key" ON "SurveyResponse"("surveyId", "householdId");

-- CreateIndex
CREATE UNIQUE INDEX "LiaisonReport_liaisonId_period_key" ON "LiaisonReport"("liaisonId", "period");

-- AddForeignKey
ALTER TABLE "SurveyResponse" ADD CONSTRAINT "SurveyResponse_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "Survey"("id") ON DELETE CASCADE ON UPDATE CASCADE;
